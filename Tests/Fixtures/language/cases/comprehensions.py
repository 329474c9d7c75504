print([x * 2 for x in range(5)], [x for x in range(10) if x % 3 == 0])
print({x: x ** 2 for x in range(4)}, {c for c in "hello"} == set("helo"))
print([[i * j for j in range(3)] for i in range(3)])
print([(x, y) for x in range(3) for y in range(3) if x != y])
x = "outer"
print([x for x in range(3)], x)
print([w.upper() for w in "a b c".split()], sorted({len(w) for w in ["ab", "cd", "e"]}))
matrix = [[1, 2, 3], [4, 5, 6]]
print([list(r) for r in zip(*matrix)], [v for row in matrix for v in row if v % 2])
fs = [lambda: i for i in range(3)]
print([f() for f in fs])
