import functools
def memoize(fn):
    cache = {}
    @functools.wraps(fn)
    def wrapper(*args):
        if args not in cache:
            cache[args] = fn(*args)
        return cache[args]
    wrapper.cache = cache
    return wrapper
@memoize
def slow_square(n):
    print("computing", n)
    return n * n
print(slow_square(4), slow_square(4), slow_square.__name__, len(slow_square.cache))
def make_multipliers():
    return [lambda x, i=i: x * i for i in range(4)]
print([m(10) for m in make_multipliers()])
def counter():
    counts = {"n": 0}
    def inc():
        counts["n"] += 1
        return counts["n"]
    return inc
c = counter(); c(); print(c())
def trace(prefix):
    def deco(fn):
        def inner(*a, **k):
            r = fn(*a, **k)
            print(f"{prefix}{fn.__name__}{a} -> {r}")
            return r
        return inner
    return deco
@trace(">> ")
@trace("# ")
def add(a, b): return a + b
add(2, 3)
class Registry:
    items = []
    @classmethod
    def register(cls, fn):
        cls.items.append(fn.__name__)
        return fn
@Registry.register
def alpha(): pass
@Registry.register
def beta(): pass
print(Registry.items)
def outer():
    x = 1
    def change():
        nonlocal x
        x = 2
    change()
    return x
print(outer())
@functools.lru_cache(maxsize=None)
def fib(n): return n if n < 2 else fib(n - 1) + fib(n - 2)
print(fib(80))
def compose(*fns):
    return functools.reduce(lambda f, g: lambda x: g(f(x)), fns)
print(compose(lambda x: x + 1, lambda x: x * 2)(5))
