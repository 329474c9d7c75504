import random, math
random.seed(2024)
vals = []
for _ in range(120):
    e = random.randint(-30, 30)
    vals.append(random.random() * 10.0 ** e)
vals += [1 / n for n in range(1, 40)] + [n / 7 for n in range(1, 20)] + [2.0 ** k for k in range(-10, 60, 7)]
vals += [math.pi * 10.0 ** k for k in range(-8, 20, 3)] + [0.1 * k for k in range(12)] + [1e15 + 0.3, 1e16 + 2, 123456789.123456789]
for v in vals:
    print(v, -v, round(v, 3), f"{v:.6g}", f"{v:e}", "%.4f" % v if abs(v) < 1e12 else "")
print(sum(vals) > 0, len(vals))
print([x / 3 for x in range(10)])
print(divmod(7.5, 2), divmod(-7.5, 2), 2.5 % -1, -2.5 // 1, 1e300 * 1e10, -1e300 * 1e10)
