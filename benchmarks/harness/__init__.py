"""Exam-day load harness: simulated candidates (asyncio + aiohttp) against the real server.

asyncio rather than Locust: five thousand candidates who each send a request every ten seconds are
five thousand mostly idle coroutines on one event loop, a few MB and a fraction of a core; Locust
spends a greenlet, an HTTP session and its own stats machinery per user. The generator shares the
2-core machine with the server, so the harness also reports the CPU it used itself.
"""
