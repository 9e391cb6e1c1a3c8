import functools
import requests


def settings():
    return requests.get("http://config/settings").json()


@functools.lru_cache(maxsize=None)
def cached_settings():
    return requests.get("http://config/settings").json()


def view(request):
    for _ in range(3):
        settings()
