import time

time.sleep(60)  # an import that connects somewhere and hangs
