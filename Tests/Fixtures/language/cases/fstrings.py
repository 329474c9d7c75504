x, y = 3.14159, 42
name = "apus"
print(f"{x:.2f} {y:5d} {y:<5}| {y:^7}| {y:>+d} {name!r} {name:>8} {x:10.3e}")
print(f"{y:08.3f} {1234567:,} {0.25:.1%} {y:x} {y:#x} {y:b} {y:o} {255:#06x}")
print(f"{'nested'} {{literal}} {x!s} {[1, 2]} {dict(a=1)}")
print(f"{y=} {x = :.1f} {name=!s}")
w = 10; p = 3
print(f"{x:{w}.{p}f}|", f"{'left':<{w}}|")
print(f"multi {y} and {y * 2} and {'a' + 'b'}")
print(f"{-3:05d} {3:+.1f} {-0.0} {1e20:g} {1.5e-7:g} {123456789:g} {0.0001:g}")
print(f"{True} {None} {3:3}|{'s':3}|")
print(format(12.5, "06.2f"), format(1000000, "_"), format("x", "^5"))
