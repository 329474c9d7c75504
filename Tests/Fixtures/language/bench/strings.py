# String building: f-strings, concatenation, join and str methods.
def run(n):
    parts = []
    total = 0
    for i in range(n):
        s = f"item-{i}:{i * 2}"
        t = s + "!"
        total += len(t)
        if i % 100 == 0:
            parts.append(t.upper())
    joined = ",".join(parts)
    return total, len(joined), joined[:24]
print(run(300_000))
