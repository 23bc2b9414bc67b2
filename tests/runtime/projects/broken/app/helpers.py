import os

SETTINGS = {"url": os.environ["ORMDOCTOR_TEST_MISSING_SETTING"]}
