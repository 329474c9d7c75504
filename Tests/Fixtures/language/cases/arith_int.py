print(7 // 2, -7 // 2, 7 % 3, -7 % 3, 7 % -3, 2 ** 10, 2 ** -1, 10 / 4, -(3))
print(1 << 5, 1024 >> 3, 6 & 3, 6 | 3, 6 ^ 3, ~5, abs(-4), divmod(17, 5), divmod(-17, 5))
print(int("42"), int("-17"), int("ff", 16), int("0x1f", 0), int(3.99), int(-3.99), int(True))
print(hex(255), oct(8), bin(5), ord("A"), chr(97), round(2.5), round(3.5), round(-2.5))
print(pow(2, 10), pow(3, 4, 5), max(3, 9, 2), min([4, 1, 8]), sum([1, 2, 3]), sum([0.5, 0.25]))
x = 10
x += 5; x -= 3; x *= 2; x //= 5; x **= 3; x %= 7
print(x, True + True, 3 * True, 5 == 5.0, 1 < 2 < 3, 3 > 2 > 2)
print((255).bit_length(), isinstance(True, int), 0 == False)
