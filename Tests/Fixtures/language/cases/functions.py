def greet(name, greeting="Hello", *args, sep=", ", **kwargs):
    """Greets someone."""
    return greeting + sep + name + str(args) + str(sorted(kwargs.items()))
print(greet("Ann"))
print(greet("Bob", "Hi", 1, 2, sep="; ", x=1, y=2))
print(greet(*["Cy", "Yo"], **{"sep": "-"}))
print(greet.__name__, greet.__doc__)
def apply(f, *a): return f(*a)
print(apply(lambda x, y=2: x * y, 5), apply(max, 3, 8, 1))
def counter():
    count = 0
    def inc(by=1):
        nonlocal count
        count += by
        return count
    return inc
c1 = counter(); c1(); c1(5); print(c1())
total = 0
def add(n):
    global total
    total += n
add(3); add(4); print(total)
def fib(n): return n if n < 2 else fib(n - 1) + fib(n - 2)
print([fib(i) for i in range(15)])
fns = [lambda i=i: i * 10 for i in range(3)]
print([f() for f in fns])
def kwonly(a, *, b, c=3): return a + b + c
print(kwonly(1, b=2), kwonly(1, c=10, b=2))
def posonly(a, b, /, c): return a, b, c
print(posonly(1, 2, c=3))
def deco(fn):
    def wrapper(*args, **kw):
        print("calling", fn.__name__)
        return fn(*args, **kw)
    return wrapper
@deco
def square(x): return x * x
print(square(7))
def repeat(n):
    def d(fn):
        def w(*a):
            return [fn(*a) for _ in range(n)]
        return w
    return d
@repeat(3)
def one(): return 1
print(one())
print((lambda: None)(), callable(len), callable(3))
