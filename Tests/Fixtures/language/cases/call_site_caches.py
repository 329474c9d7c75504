# Call sites and attribute sites remember what they found; every change below must be seen.

class Shape:
    sides = 0
    def __init__(self, name):
        self.name = name
    def describe(self, extra):
        return f"{self.name}:{self.sides}:{extra}"
    def area(self):
        return 0

class Square(Shape):
    sides = 4
    def __init__(self, name, side):
        self.name = name
        self.side = side
    def area(self):
        return self.side * self.side

def describe_all(items):
    # One call site and one attribute site see several classes in turn.
    out = []
    for it in items:
        out.append(it.describe(it.area()))
        out.append(it.sides)
    return out

items = [Shape("blob"), Square("sq", 3), Shape("dot")]
for _ in range(3):
    print(describe_all(items))

# The class changes after the sites cached it: a method replaced, a class attribute reassigned.
def new_area(self):
    return -1
Shape.area = new_area
Shape.sides = 99
print(describe_all(items))

# A method replaced on one instance shadows the class's method there only.
items[0].area = lambda: "own"
print(describe_all(items))
del items[0].area
print(describe_all(items))

# An attribute added to an instance later, with the name of a class attribute.
items[2].sides = 7
print(describe_all(items))

# A subclass defined later goes through the same sites.
class Circle(Shape):
    def area(self):
        return 3
    def describe(self, extra):
        return "circle " + super().describe(extra)
items.append(Circle("c"))
print(describe_all(items))

# __init__ replaced after construction sites cached the old one.
def make(n):
    return [Square("s" + str(i), i) for i in range(n)]
print([s.area() for s in make(3)])
def other_init(self, name, side):
    self.name = name.upper()
    self.side = side + 1
Square.__init__ = other_init
print([(s.name, s.area()) for s in make(3)])

# A property added to the class after plain reads and writes were cached.
class Box:
    def __init__(self, w):
        self.w = w
    def grow(self):
        self.w += 1
        return self.w
b = Box(1)
for _ in range(3):
    b.grow()
print(b.w)
Box.double = property(lambda self: self.w * 2)
print(b.double, b.grow())

# __getattr__ only answers names nothing else has.
class Lazy:
    def __init__(self):
        self.real = 1
    def __getattr__(self, name):
        return "computed " + name
    def get(self):
        return self.real
lz = Lazy()
for _ in range(2):
    print(lz.real, lz.missing, lz.get())
Lazy.get = lambda self: "replaced"
print(lz.get())

# staticmethod and classmethod through an instance call site.
class Tools:
    factor = 2
    @staticmethod
    def twice(x):
        return x * 2
    @classmethod
    def scaled(cls, x):
        return x * cls.factor
    def plain(self, x):
        return x + 1
t = Tools()
for name in ["twice", "scaled", "plain"]:
    print(name, getattr(t, name)(5))
for _ in range(2):
    print(t.twice(3), t.scaled(3), t.plain(3))
Tools.plain = staticmethod(lambda x: x - 1)
print(t.plain(3))

# A bound method taken before the class changes keeps the old function.
class Greeter:
    def hello(self):
        return "hello"
g = Greeter()
bound = g.hello
Greeter.hello = lambda self: "hi"
print(bound(), g.hello())

# A function that rebinds its own global name while running.
def once():
    global once
    once = None
    return "ran"
print(once(), once)

# Closures over loop variables, and functions made in a loop.
fs = [lambda: i for i in range(3)]
print([f() for f in fs])
gs = []
for i in range(3):
    def g_(i=i):
        return i * 10
    gs.append(g_)
print([g() for g in gs])
def counter():
    n = 0
    def bump():
        nonlocal n
        n += 1
        return n
    return bump
c1, c2 = counter(), counter()
print(c1(), c1(), c2(), c1())

# Errors leave call frames in a reusable state: a failing call, then the same call again.
def divide(a, b):
    return a // b
for pair in [(7, 2), (1, 0), (9, 3)]:
    try:
        print(divide(*pair), divide(pair[0], pair[1]))
    except ZeroDivisionError as e:
        print("error", e)

def deep(n):
    return 0 if n == 0 else 1 + deep(n - 1)
try:
    deep(100000)
except RecursionError as e:
    print("RecursionError", e)
print(deep(300))

# A method whose argument raises: the receiver and the call site stay usable.
class Acc:
    def __init__(self):
        self.total = 0
    def add(self, v):
        self.total += v
        return self.total
a = Acc()
def boom():
    raise ValueError("bad")
for v in [1, 2]:
    a.add(v)
try:
    a.add(boom())
except ValueError as e:
    print("caught", e)
print(a.add(10))

# Zero-argument super() reached through a name bound to super inside the method.
class Base:
    def who(self):
        return "base"
class Derived(Base):
    def who(self):
        s = super
        return "derived/" + s().who()
print(Derived().who())

# Generators and defaults through the same kind of call sites.
class Seq:
    def __init__(self, n):
        self.n = n
    def items(self, start=0):
        for i in range(start, self.n):
            yield i
s = Seq(4)
print(list(s.items()), list(s.items(2)))

# Augmented attribute assignment whose right side rebinds the receiver's variable, or gives
# the class a property: the update goes to the object read first, through the new setter.
class Holder:
    def __init__(self, v):
        self.v = v
def rebinding():
    p = Holder(1)
    first = p
    for _ in range(2):
        p.v += (p := Holder(100)).v
    print(first.v, p.v)
rebinding()
class Temp:
    def __init__(self):
        self.t = 1
def add_property():
    Temp.t = property(lambda self: 5, lambda self, v: print("setter got", v))
    return 10
def update():
    x = Temp()
    x.t += 1
    x.t += add_property()
    print(x.t)
update()

# An argument that drops the last other reference to the function being called, or replaces
# the method being called: the call already under way runs the function it found.
def make_adder(k):
    def add(x, y):
        def inner():
            return x + y + k
        return inner()
    return add
adder = make_adder(5)
def drop_adder():
    global adder
    adder = None
    return 1
print(adder(drop_adder(), 2), adder)
class Swap:
    def go(self, v):
        return ("old", v)
def replace_go():
    Swap.go = lambda self, v: ("new", v)
    return 3
def call_swap():
    s = Swap()
    return s.go(replace_go()), s.go(4)
print(call_swap())
