from dataclasses import dataclass, field, asdict
@dataclass
class Point:
    x: int
    y: int = 0
    tags: list = field(default_factory=list)
    def norm1(self):
        return abs(self.x) + abs(self.y)
p = Point(3, -4)
q = Point(3, -4)
print(p, p.norm1(), p == q, p == Point(1), asdict(p))
p.tags.append("a"); print(p, Point(1).tags)
@dataclass
class Config:
    name: str
    lr: float = 1e-3
    layers: int = 2
c = Config("model", layers=4)
print(c, c.lr)
@dataclass(frozen=True)
class Frozen:
    a: int
f = Frozen(1)
try:
    f.a = 2
except Exception as e:
    print(type(e).__name__)
print(f, hash(f) == hash(Frozen(1)))
