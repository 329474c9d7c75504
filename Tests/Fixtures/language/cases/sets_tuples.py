s = {1, 2, 3}
s.add(4); s.discard(10); s.remove(1)
print(s, len(s), 2 in s, {1, 2} | {3}, {1, 2} & {2, 3}, {1, 2} - {2}, {1, 2} ^ {2, 3})
print(set(), set([3, 3, 1]), {1, 2} <= {1, 2, 3}, {1, 2}.issubset([1, 2]), frozenset([1, 2]))
print(sorted({x % 3 for x in range(10)}), {1, 2} == {2, 1})
t = (1, 2, 3)
print(t, t[1], t[-1], t[1:], len(t), t.count(2), t.index(3), (1,), (), tuple([4, 5]))
a, b = 1, 2
a, b = b, a
print(a, b, (1, 2) + (3,), (1, 2) * 2, (1, 2) < (1, 3), max((1, 2), (1, 3)))
(x, y), z = (1, 2), 3
print(x, y, z)
print(hash((1, 2)) == hash((1, 2)), {(1, 2): "ok"}[(1, 2)])
