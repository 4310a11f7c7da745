"""The article's CPU-bound half, as the article wrote it: the sum of the primes below 1,000,000,
each number tested by trial division, spread over two processes with multiprocessing.Pool(2).

    python3 Benchmarks/article-pool-sum.py [N]      # default N = 1,000,000

Prints the sum and the wall time of the whole program (interpreter start-up included, as for
`hybrid primes N --workers 2`); hyperfine can time both from outside.
"""
import math
import sys
import time
from multiprocessing import Pool


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    for divisor in range(3, math.isqrt(n) + 1, 2):
        if n % divisor == 0:
            return False
    return True


def main():
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    start = time.perf_counter()
    with Pool(2) as pool:
        flags = pool.map(is_prime, range(limit))
    total = sum(n for n, prime in enumerate(flags) if prime)
    print(f"{total} {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
