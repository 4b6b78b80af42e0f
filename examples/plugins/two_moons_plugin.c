/* two_moons as an nsbi plugin (C ABI of nsbi/simulator_plugin.h).
 *
 * The task (sbibm two_moons, ../shared/sbibm/TASKS.md section 8):
 *   a ~ Uniform(-pi/2, pi/2),  r ~ N(0.1, 0.01^2)
 *   p = (r cos a + 0.25, r sin a)
 *   x = p + (-|theta_1 + theta_2| / sqrt(2), (-theta_1 + theta_2) / sqrt(2))
 * Randomness: xoshiro256** seeded through splitmix64 from the 64-bit seed; uniforms from the top
 * 53 bits on the open interval (0, 1); the normal by Box-Muller. No state survives a call.
 */
#include <math.h>
#include <stdint.h>

#include "nsbi/simulator_plugin.h"

#define TWO_MOONS_PI 3.14159265358979323846

typedef struct {
  uint64_t s[4];
} Rng;

static uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t next_u64(Rng* g) { /* xoshiro256** (Blackman & Vigna 2018) */
  const uint64_t result = rotl(g->s[1] * 5, 7) * 9;
  const uint64_t t = g->s[1] << 17;
  g->s[2] ^= g->s[0];
  g->s[3] ^= g->s[1];
  g->s[1] ^= g->s[2];
  g->s[0] ^= g->s[3];
  g->s[2] ^= t;
  g->s[3] = rotl(g->s[3], 45);
  return result;
}

static double uniform01(Rng* g) { return ((double)(next_u64(g) >> 11) + 0.5) * 0x1.0p-53; }

static double standard_normal(Rng* g) {
  const double u1 = uniform01(g), u2 = uniform01(g);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * TWO_MOONS_PI * u2);
}

NSBI_PLUGIN_EXPORT int nsbi_simulate(const double* theta, int theta_dim, double* x, int x_dim, uint64_t seed) {
  if (theta_dim != 2 || x_dim != 2) return 1;
  Rng g;
  uint64_t sm = seed;
  for (int i = 0; i < 4; ++i) g.s[i] = splitmix64(&sm);
  const double a = -TWO_MOONS_PI / 2 + TWO_MOONS_PI * uniform01(&g);
  const double r = 0.1 + 0.01 * standard_normal(&g);
  const double p0 = r * cos(a) + 0.25, p1 = r * sin(a);
  x[0] = p0 - fabs(theta[0] + theta[1]) / sqrt(2.0);
  x[1] = p1 + (-theta[0] + theta[1]) / sqrt(2.0);
  return 0;
}
