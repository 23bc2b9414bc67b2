import os
import time

pid_file = os.environ.get("ORMDOCTOR_TEST_PID_FILE")
if pid_file:
    with open(pid_file, "w") as handle:
        handle.write(str(os.getpid()))
time.sleep(60)  # an import that connects somewhere and hangs
