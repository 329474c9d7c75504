from collections import defaultdict, Counter, OrderedDict, namedtuple
dd = defaultdict(list)
for w in ["apple", "avocado", "banana"]:
    dd[w[0]].append(w)
print(dict(dd), dd["z"], len(dd))
counts = defaultdict(int)
for ch in "mississippi":
    counts[ch] += 1
print(sorted(counts.items()))
c = Counter("mississippi")
print(c.most_common(2), c["s"], c["z"])
c2 = Counter(["a", "b", "a"])
print(c2, sorted(c2.elements()))
od = OrderedDict()
od["x"] = 1; od["y"] = 2
od.move_to_end("x")
print(list(od.keys()), od)
Point = namedtuple("Point", ["x", "y"])
p = Point(1, 2)
print(p.x, p.y, p[0], tuple(p), p._asdict())
from functools import partial, reduce
def power(base, exp): return base ** exp
square = partial(power, exp=2)
print(square(5), reduce(lambda a, b: a * b, [1, 2, 3, 4]), reduce(lambda a, b: a + b, [], 0))
import itertools
print(list(itertools.islice(itertools.count(5), 3)), list(itertools.chain([1, 2], [3])), list(itertools.product("ab", [1, 2])))
print(list(itertools.permutations([1, 2, 3], 2)), list(itertools.combinations("abc", 2)), list(itertools.accumulate([1, 2, 3])))
print([(k, list(g)) for k, g in itertools.groupby("aabbbc")], list(itertools.zip_longest("ab", "x", fillvalue="-")))
print(list(itertools.repeat("z", 3)), list(itertools.islice(itertools.cycle("ab"), 5)))
