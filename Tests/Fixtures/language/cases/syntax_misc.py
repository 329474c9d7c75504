a = [1, 2]; b = (3, 4)
print([*a, *b], (*a, 5), {*a, *b} == {1, 2, 3, 4}, {**{"x": 1}, "y": 2})
def f(*args, **kw): return args, kw
print(f(*a, *b, 9), f(**{"p": 1}, q=2), f(*range(3)))
x = y = z = 0
x, y = y, x + 1
print(x, y, z)
i = 10
i <<= 2; i >>= 1; i |= 1; i &= 0xff; i ^= 3
print(i)
if True: print("inline if")
for k in range(2): print("inline for", k)
while False: pass
class Empty: pass
def noop(): ...
print(noop(), Empty.__name__)
s = ("implicit "
     "concatenation "
     f"with f{1 + 1}")
print(s)
total = (1 +
         2 +
         3)
print(total, \
      "backslash continuation")
long_list = [
    1,
    2,
]
print(long_list, [i for i in range(3)
                  if i])
matrix = [[1, 2],
          [3, 4]]
print(matrix[1][0], matrix[-1][-1])
t = 1, 2, 3
p, *q = t
print(p, q)
for idx, (l, r) in enumerate([(1, 2), (3, 4)]):
    print(idx, l, r)
lst = [5, 3, 8]
lst[0], lst[2] = lst[2], lst[0]
print(lst)
d = {"a": {"b": {"c": 1}}}
d["a"]["b"]["c"] += 1
print(d)
obj = type("Dyn", (), {"attr": 5})()
print(obj.attr)
print(1 if 1 else 0, [] if [] else "empty", not None, None is not None)
print(0x1F, 0o17, 0b101, 1_000_000, 1e3, .5, 5., 3e-2)
print(-2 ** 2, (-2) ** 2, 2 ** -2, 10 % 3 ** 2, -7 // 2 * 3)
def g(x, /, y, *, z): return x + y + z
print(g(1, 2, z=3), g(1, y=2, z=3))
print((lambda *a, **k: (a, k))(1, b=2))
del x
try:
    print(x)
except NameError as e:
    print(e)
if __name__ == "__main__":
    print("main guard")
print(type(...).__name__, str(print)[:10])
