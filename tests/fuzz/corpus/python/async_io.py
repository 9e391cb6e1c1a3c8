import time as t
import requests as r
from subprocess import run as sh


async def handler(url):
    t.sleep(0.1)
    with open("/tmp/x") as f:
        data = f.read()
    sh(["ls"])
    return r.get(url, timeout=3).json(), data


class C:
    async def m(self):
        def inner():
            t.sleep(1)
        return inner
