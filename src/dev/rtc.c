/* Goldfish RTC as in QEMU 7.2: nanoseconds since the epoch from the host's CLOCK_REALTIME
 * plus an offset that guest writes to TIME move, and one alarm that raises the interrupt
 * (when enabled) once the time reaches it. Reading TIME_LOW latches TIME_HIGH, so the
 * driver's low-then-high read is consistent. rtc_update() lets a due alarm fire. */
#include "dev.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define RTC_TIME_LOW 0x00
#define RTC_TIME_HIGH 0x04
#define RTC_ALARM_LOW 0x08
#define RTC_ALARM_HIGH 0x0c
#define RTC_IRQ_ENABLED 0x10
#define RTC_CLEAR_ALARM 0x14
#define RTC_ALARM_STATUS 0x18
#define RTC_CLEAR_INTERRUPT 0x1c
#define RTC_SAVE_VERSION 1
#define NS_PER_SEC 1000000000ull

struct rtc {
    pthread_mutex_t lock;
    struct irq_line irq;
    bool irq_level;
    uint64_t offset; /* guest time = host CLOCK_REALTIME ns + offset, modulo 2^64 */
    uint64_t alarm_next;
    bool alarm_running, irq_pending, irq_enabled;
    uint32_t time_high;
};

static uint64_t host_realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(const struct rtc *r)
{
    return host_realtime_ns() + r->offset;
}

static void update_irq(struct rtc *r, bool force)
{
    bool level = r->irq_pending && r->irq_enabled;
    if (level != r->irq_level || force) {
        r->irq_level = level;
        irq_set(&r->irq, level);
    }
}

static void fire_alarm(struct rtc *r)
{
    r->alarm_running = false;
    r->irq_pending = true;
    update_irq(r, false);
}

/* Arms the alarm at alarm_next, or fires it at once if that time has passed. */
static void arm_alarm(struct rtc *r)
{
    if (r->alarm_next <= now_ns(r))
        fire_alarm(r);
    else
        r->alarm_running = true;
}

static uint64_t set_bits(uint64_t v, unsigned shift, uint32_t bits)
{
    return (v & ~(0xffffffffull << shift)) | ((uint64_t)bits << shift);
}

static int rtc_mmio_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
    struct rtc *r = dev;
    uint64_t v = 0;
    pthread_mutex_lock(&r->lock);
    switch (off) {
    case RTC_TIME_LOW: {
        uint64_t t = now_ns(r);
        r->time_high = (uint32_t)(t >> 32);
        v = (uint32_t)t;
        break;
    }
    case RTC_TIME_HIGH:
        v = r->time_high;
        break;
    case RTC_ALARM_LOW:
        v = (uint32_t)r->alarm_next;
        break;
    case RTC_ALARM_HIGH:
        v = r->alarm_next >> 32;
        break;
    case RTC_IRQ_ENABLED:
        v = r->irq_enabled;
        break;
    case RTC_ALARM_STATUS:
        v = r->alarm_running;
        break;
    default: /* write-only and unassigned registers */
        break;
    }
    pthread_mutex_unlock(&r->lock);
    *val = v;
    return 0;
}

static int rtc_mmio_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
    struct rtc *r = dev;
    uint32_t v = (uint32_t)val;
    pthread_mutex_lock(&r->lock);
    switch (off) {
    case RTC_TIME_LOW:
    case RTC_TIME_HIGH: {
        /* Replace one half of the current time; the other half keeps running. */
        uint64_t now = now_ns(r);
        r->offset += set_bits(now, off == RTC_TIME_HIGH ? 32 : 0, v) - now;
        break;
    }
    case RTC_ALARM_LOW:
        /* Writing the low half arms the alarm (drivers write HIGH first). */
        r->alarm_next = set_bits(r->alarm_next, 0, v);
        arm_alarm(r);
        break;
    case RTC_ALARM_HIGH:
        r->alarm_next = set_bits(r->alarm_next, 32, v);
        break;
    case RTC_IRQ_ENABLED:
        r->irq_enabled = v & 1;
        update_irq(r, false);
        break;
    case RTC_CLEAR_ALARM:
        r->alarm_running = false;
        break;
    case RTC_CLEAR_INTERRUPT:
        r->irq_pending = false;
        update_irq(r, false);
        break;
    default:
        break;
    }
    pthread_mutex_unlock(&r->lock);
    return 0;
}

const struct mmio_ops rtc_ops = {
    .name = "rtc",
    .min_size = 4,
    .max_size = 4,
    .read = rtc_mmio_read,
    .write = rtc_mmio_write,
};

struct rtc *rtc_new(struct irq_line irq)
{
    struct rtc *r = xcalloc(1, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
    r->irq = irq;
    /* QEMU seeds the offset once, at realize, from the host date in whole seconds; a guest's
     * setting survives a machine reset. */
    uint64_t host = host_realtime_ns();
    r->offset = 0 - host % NS_PER_SEC;
    rtc_reset(r);
    return r;
}

void rtc_reset(struct rtc *r)
{
    pthread_mutex_lock(&r->lock);
    r->alarm_next = 0;
    r->alarm_running = false;
    r->irq_pending = false;
    r->irq_enabled = false;
    update_irq(r, true);
    pthread_mutex_unlock(&r->lock);
}

void rtc_free(struct rtc *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r);
}

void rtc_update(struct rtc *r)
{
    pthread_mutex_lock(&r->lock);
    if (r->alarm_running && now_ns(r) >= r->alarm_next)
        fire_alarm(r);
    pthread_mutex_unlock(&r->lock);
}

/* Layout v1: offset from host realtime (u64), alarm_next (u64), alarm_running, irq_pending,
 * irq_enabled (u8 each), time_high (u32). Like QEMU, the offset is what travels, so a
 * restored guest keeps tracking the host's wall clock. */
int rtc_save(const struct rtc *r, uint8_t *buf, size_t cap, size_t *len)
{
    struct rtc *m = (struct rtc *)r; /* the lock is not observable state */
    struct dev_writer w = {buf, cap, 0};
    pthread_mutex_lock(&m->lock);
    dev_put_header(&w, "GRTC", RTC_SAVE_VERSION);
    dev_put(&w, r->offset, 8);
    dev_put(&w, r->alarm_next, 8);
    dev_put(&w, r->alarm_running, 1);
    dev_put(&w, r->irq_pending, 1);
    dev_put(&w, r->irq_enabled, 1);
    dev_put(&w, r->time_high, 4);
    pthread_mutex_unlock(&m->lock);
    return dev_put_end(&w, len);
}

int rtc_restore(struct rtc *r, const uint8_t *buf, size_t len)
{
    struct dev_reader rd = {buf, len, 0, false};
    dev_get_header(&rd, "GRTC", RTC_SAVE_VERSION);
    uint64_t offset = dev_get(&rd, 8);
    uint64_t alarm_next = dev_get(&rd, 8);
    bool running = dev_get(&rd, 1) & 1;
    bool pending = dev_get(&rd, 1) & 1;
    bool enabled = dev_get(&rd, 1) & 1;
    uint32_t time_high = (uint32_t)dev_get(&rd, 4);
    if (!dev_get_end(&rd))
        return -ERR_FORMAT;
    pthread_mutex_lock(&r->lock);
    r->offset = offset;
    r->alarm_next = alarm_next;
    r->alarm_running = running;
    r->irq_pending = pending;
    r->irq_enabled = enabled;
    r->time_high = time_high;
    update_irq(r, true);
    pthread_mutex_unlock(&r->lock);
    return 0;
}
