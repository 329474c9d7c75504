for i in range(10):
    if i == 2:
        continue
    if i == 5:
        break
    print(i, end=" ")
else:
    print("not reached")
print()
for i in range(3):
    pass
else:
    print("loop finished", i)
n = 0
while n < 5:
    n += 1
    if n == 10:
        break
else:
    print("while else", n)
x = 7
if x < 5:
    print("small")
elif x < 10:
    print("medium")
else:
    print("large")
print("yes" if x > 3 else "no", x and 0, x or 0, None or "default", not x)
for i, ch in enumerate("abc", start=1):
    print(i, ch)
for a, b in zip([1, 2, 3], "xy"):
    print(a, b)
print(list(range(10, 0, -3)), list(range(0)), range(5)[2], len(range(1, 10, 2)), 3 in range(5))
if (m := 5) > 3:
    print("walrus", m)
assert x == 7, "never"
