# List, dict and set comprehensions and a generator expression fed to sum().
def run(n):
    total = 0
    for k in range(n):
        xs = [i * i for i in range(50) if i % 3]
        d = {i: i + k for i in range(20)}
        s = {x % 7 for x in xs}
        total += len(xs) + d[19] + len(s) + sum(x for x in xs if x > 100)
    return total
print(run(20_000))
