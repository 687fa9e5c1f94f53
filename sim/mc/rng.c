/*
 * rng.c - the Philox4x32-10 gsl_rng adapter (see rng.h).
 */
#include "rng.h"

#include <Random123/philox.h>

typedef struct {
    philox4x32_key_t key;
    philox4x32_ctr_t ctr;   /* ctr.v[3] = index of the next block to compute */
    philox4x32_ctr_t out;   /* the current block */
    unsigned pos;           /* next word of out to hand out; 4 = block exhausted */
} philox_state_t;

static unsigned long philox_get(void *vstate)
{
    philox_state_t *s = vstate;
    if (s->pos >= 4) {
        s->out = philox4x32(s->ctr, s->key);
        s->ctr.v[3]++;
        s->pos = 0;
    }
    return s->out.v[s->pos++];
}

/* 27 high bits of one word and 26 of the next: every multiple of 2^-53 in [0, 1) is
 * equally likely (the construction of the reference MT19937 genrand_res53). */
static double philox_get_double(void *vstate)
{
    uint32_t a = (uint32_t)philox_get(vstate) >> 5;
    uint32_t b = (uint32_t)philox_get(vstate) >> 6;
    return ((double)a * 67108864.0 + (double)b) * (1.0 / 9007199254740992.0);
}

static void philox_position(philox_state_t *s, uint64_t seed, uint64_t draw,
                            uint32_t stream)
{
    s->key.v[0] = (uint32_t)seed;
    s->key.v[1] = (uint32_t)(seed >> 32);
    s->ctr.v[0] = (uint32_t)draw;
    s->ctr.v[1] = (uint32_t)(draw >> 32);
    s->ctr.v[2] = stream;
    s->ctr.v[3] = 0;
    s->pos = 4;
}

static void philox_set(void *vstate, unsigned long seed)
{
    philox_position(vstate, (uint64_t)seed, 0, 0);
}

static const gsl_rng_type philox_type = {
    "philox4x32-10",
    0xFFFFFFFFUL,
    0,
    sizeof(philox_state_t),
    philox_set,
    philox_get,
    philox_get_double
};

const gsl_rng_type *rng_philox4x32 = &philox_type;

gsl_rng *rng_alloc(void)
{
    return gsl_rng_alloc(rng_philox4x32);
}

void rng_set_stream(gsl_rng *r, uint64_t seed, uint64_t draw, uint32_t stream)
{
    philox_position(r->state, seed, draw, stream);
}
