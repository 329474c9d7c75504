class Stack:
    """A simple stack."""
    def __init__(self): self._items = []
    def push(self, x): self._items.append(x); return self
    def pop(self): return self._items.pop()
    def __len__(self): return len(self._items)
    def __bool__(self): return bool(self._items)
    def __iter__(self): return iter(reversed(self._items))
    def __repr__(self): return f"Stack({self._items})"
s = Stack().push(1).push(2).push(3)
print(s, len(s), list(s), s.pop(), bool(Stack()), Stack.__doc__)
class Shape:
    sides = 0
    def describe(self): return f"{self.__class__.__name__} with {self.sides} sides, area {self.area():.2f}"
    def area(self): raise NotImplementedError
class Square(Shape):
    sides = 4
    def __init__(self, s): self.s = s
    def area(self): return self.s ** 2
class Circle(Shape):
    def __init__(self, r): self.r = r
    def area(self): return 3.14159 * self.r ** 2
for sh in [Square(2), Circle(1)]:
    print(sh.describe())
try:
    Shape().area()
except NotImplementedError as e:
    print("not implemented", repr(e))
class Money:
    def __init__(self, cents): self.cents = cents
    def __eq__(self, o): return self.cents == o.cents
    def __lt__(self, o): return self.cents < o.cents
    def __le__(self, o): return self.cents <= o.cents
    def __hash__(self): return hash(self.cents)
    def __repr__(self): return f"${self.cents / 100:.2f}"
    def __add__(self, o): return Money(self.cents + (o.cents if isinstance(o, Money) else o))
    __radd__ = __add__
print(sorted([Money(300), Money(100)]), Money(1) == Money(1), Money(1) <= Money(2), sum([Money(5), Money(7)]), len({Money(1), Money(1)}))
class Counter:
    instances = 0
    def __init__(self):
        Counter.instances += 1
        self.id = Counter.instances
a, b = Counter(), Counter()
print(a.id, b.id, Counter.instances, a.instances)
class Node:
    def __init__(self, val, nxt=None): self.val, self.next = val, nxt
    def __iter__(self):
        node = self
        while node:
            yield node.val
            node = node.next
print(list(Node(1, Node(2, Node(3)))))
class Matrix:
    def __init__(self, rows): self.rows = rows
    def __getitem__(self, idx):
        r, c = idx
        return self.rows[r][c]
    def __matmul__(self, o):
        return Matrix([[sum(a * b for a, b in zip(row, col)) for col in zip(*o.rows)] for row in self.rows])
m = Matrix([[1, 2], [3, 4]])
print(m[1, 0], (m @ m).rows)
print(isinstance(m, object), issubclass(Square, (Circle, Shape)), Square.__mro__[1].__name__, type(m).__name__)
class E(Exception):
    def __str__(self): return "custom str"
print(str(E()), repr(E("x")))
