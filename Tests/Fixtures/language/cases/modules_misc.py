import time, os, sys, string
t0 = time.time(); t1 = time.perf_counter()
time.sleep(0.01)
print(time.time() >= t0, time.perf_counter() > t1, type(time.time()).__name__)
print(os.path.join("/a", "b"), os.path.isabs if False else "", os.sep, os.path.splitext("a/b.c.d"), os.path.split("/x/y/z"))
print(isinstance(os.getcwd(), str), isinstance(os.environ, dict) or hasattr(os.environ, "get"), os.path.exists("/definitely/not/here"))
print(string.ascii_lowercase[:5], string.digits, len(string.ascii_letters))
print(type(sys.argv).__name__, sys.maxsize > 2 ** 31)
import json
print(json.dumps({"a": [1, {"b": None}]}, separators=(",", ":")), json.dumps(3.0), json.dumps("\n\t\""), json.dumps({"b": 1, "a": 2}, sort_keys=True))
try:
    json.loads("{bad json}")
except json.JSONDecodeError as e:
    print("decode error:", e)
try:
    json.dumps({1, 2})
except TypeError as e:
    print(e)
from collections import Counter
words = "the cat and the hat and the bat".split()
print(Counter(words).most_common(3))
import math
print(math.floor(-0.5), math.ceil(-0.5), round(-0.5), math.comb(5, 2), math.isqrt(17), math.degrees(math.pi), math.radians(180))
print(math.fsum([0.1] * 10), sum([0.1] * 10), math.lcm(4, 6), math.atan2(1, 1), math.copysign(1, -0.0))
