# A generator function consumed by a for loop (each item crosses the generator boundary).
def numbers(n):
    i = 0
    while i < n:
        yield i
        i += 1
def run(n):
    total = 0
    for x in numbers(n):
        total += x
    return total
print(run(200_000))
