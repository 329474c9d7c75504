# List appends, indexing and dict updates.
def run(n):
    xs = []
    for i in range(n):
        xs.append(i * 2)
    counts = {}
    for x in xs:
        k = x % 97
        counts[k] = counts.get(k, 0) + 1
    s = 0
    for i in range(len(xs)):
        s += xs[i]
    return s, len(counts)
print(run(1_000_000))
