import math
print(math.pi, math.e, math.sqrt(16), math.floor(2.7), math.ceil(2.1), math.log(math.e), math.log(8, 2), math.log10(1000))
print(math.sin(0), math.cos(0), math.exp(1), math.fabs(-2), math.factorial(10), math.gcd(12, 18), math.isclose(0.1 + 0.2, 0.3))
print(math.inf, -math.inf, math.isnan(math.nan), math.hypot(3, 4), math.pow(2, 10), math.trunc(-2.5), math.prod([1, 2, 3, 4]))
import json
data = {"name": "apus", "values": [1, 2.5, None, True], "nested": {"k": "v"}}
s = json.dumps(data)
print(s)
print(json.dumps(data, indent=2, sort_keys=True))
back = json.loads(s)
print(back == data, back["values"], json.loads("[1, 2, {\"a\": false}]"), json.dumps("héllo"), json.dumps([]))
print(json.loads('{"x": 1.5e3, "y": "\\u00e9"}'))
from math import sqrt as root, pi
print(root(2), pi)
import os.path
print(os.path.dirname("/a/b/c.txt"))
