class Animal:
    kind = "animal"
    count = 0
    def __init__(self, name):
        self.name = name
        Animal.count += 1
    def speak(self):
        return f"{self.name} makes a sound"
    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"
    @staticmethod
    def helper(x): return x * 2
    @classmethod
    def create(cls, name): return cls(name)
    @property
    def upper(self): return self.name.upper()
class Dog(Animal):
    kind = "dog"
    def speak(self):
        return super().speak() + " (woof)"
d = Dog("Rex"); a = Animal.create("Generic")
print(d.speak(), a.speak(), d.kind, a.kind, Animal.count, d.upper, Animal.helper(4), d.helper(5))
print(d, [a], isinstance(d, Animal), isinstance(a, Dog), issubclass(Dog, Animal), type(d) is Dog)
print(Dog.__name__, Dog.__bases__, hasattr(d, "name"), getattr(d, "missing", "dflt"))
setattr(d, "age", 3); print(d.age, d.__dict__)
class Vec:
    def __init__(self, x, y): self.x, self.y = x, y
    def __add__(self, o): return Vec(self.x + o.x, self.y + o.y)
    def __sub__(self, o): return Vec(self.x - o.x, self.y - o.y)
    def __mul__(self, k): return Vec(self.x * k, self.y * k)
    def __rmul__(self, k): return self * k
    def __eq__(self, o): return isinstance(o, Vec) and (self.x, self.y) == (o.x, o.y)
    def __lt__(self, o): return self.x < o.x
    def __neg__(self): return Vec(-self.x, -self.y)
    def __len__(self): return 2
    def __getitem__(self, i): return (self.x, self.y)[i]
    def __setitem__(self, i, v):
        if i == 0: self.x = v
        else: self.y = v
    def __contains__(self, v): return v in (self.x, self.y)
    def __iter__(self): return iter((self.x, self.y))
    def __call__(self, s): return Vec(self.x * s, self.y * s)
    def __str__(self): return f"<{self.x}, {self.y}>"
    def __repr__(self): return f"Vec({self.x}, {self.y})"
    def __bool__(self): return bool(self.x or self.y)
    def __hash__(self): return hash((self.x, self.y))
v = Vec(1, 2) + Vec(3, 4)
print(v, repr(v), v - Vec(1, 1), v * 2, 3 * v, -v, v == Vec(4, 6), v != Vec(4, 6), len(v), v[1])
v[0] = 10; print(v, 6 in v, list(v), v(2), bool(Vec(0, 0)), sorted([Vec(3, 0), Vec(1, 0)]))
print(str(v), f"{v}", [v], {v: 1}[Vec(10, 6)])
class Temp:
    def __init__(self): self._c = 0
    @property
    def c(self): return self._c
    @c.setter
    def c(self, val): self._c = val * 2
t = Temp(); t.c = 5; print(t.c)
class Base:
    def __init__(self, a): self.a = a
class Mid(Base):
    def __init__(self, a, b):
        super().__init__(a)
        self.b = b
class Leaf(Mid):
    def __init__(self):
        super().__init__(1, 2)
l = Leaf(); print(l.a, l.b, Leaf.__mro__)
