d = {"a": 1, "b": 2}
d["c"] = 3
print(d, len(d), d["a"], d.get("z"), d.get("z", 0), "a" in d, "z" not in d)
print(list(d.keys()), list(d.values()), list(d.items()))
print(d.keys(), d.values(), d.items())
print(d.pop("b"), d, d.setdefault("x", 10), d)
d.update({"y": 5}, z=6); print(d)
for k, v in d.items():
    print(k, v, end="; ")
print()
print({k: v * 2 for k, v in d.items() if v > 2})
e = dict(a=1, b=2); f = dict([("x", 1), ("y", 2)]); print(e, f, dict(zip("ab", [1, 2])))
print(e == {"b": 2, "a": 1}, {**e, "c": 3}, e | f)
del e["a"]; print(e, e.popitem(), e)
g = {1: "int", 1.5: "float", (1, 2): "tuple", None: "none", True: "bool"}
print(g)
print(sorted({"b": 1, "a": 2}), dict.fromkeys(["p", "q"], 0))
c = d.copy(); c.clear(); print(c, d)
