# Closures: calling inner functions that read and update enclosing variables.
def make_counter(step):
    count = 0
    def bump(x):
        nonlocal count
        count += step
        return x + count
    return bump
def run(n):
    bump = make_counter(3)
    add = lambda a, b: a + b
    s = 0
    for i in range(n):
        s = add(s, bump(i) % 11)
    return s
print(run(500_000))
