/* mbed.h - what the guide's sketches use from Mbed OS: rtos::Thread, ThisThread, and the
 * real-time clock's set_time() (time() reads it). */
#ifndef DUET_ARDUINO_MBED_H
#define DUET_ARDUINO_MBED_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "duet/board.h"

#ifdef __cplusplus
extern "C" {
#endif
/* Sets the board's real-time clock (one for both cores) to t, seconds since 1970 UTC. On
 * this layer time() reads that clock, as on the board, and the time zone is UTC. */
void set_time(time_t t);
#ifdef __cplusplus
}
#endif

/* Mbed OS's status and priority types, as far as the sketches pass them around. */
typedef enum { osOK = 0, osErrorResource = -3, osErrorParameter = -4, osErrorNoMemory = -5 } osStatus;
typedef enum {
    osPriorityIdle = 1,
    osPriorityLow = 8,
    osPriorityBelowNormal = 16,
    osPriorityNormal = 24,
    osPriorityAboveNormal = 32,
    osPriorityHigh = 40,
    osPriorityRealtime = 48
} osPriority;
#ifndef OS_STACK_SIZE
#define OS_STACK_SIZE 4096
#endif

namespace rtos {

/*
 * A thread of this core: start(fn) runs fn in it (the board's duet_thread_start). The thread
 * may call RPC and every board function; its RPC calls wait for their answer while loop()
 * keeps running. At most DUET_THREAD_MAX threads per core. The priority and stack size are
 * accepted and have no effect on a PC.
 */
class Thread {
public:
    explicit Thread(osPriority priority = osPriorityNormal, uint32_t stack_size = OS_STACK_SIZE,
                    unsigned char *stack_mem = nullptr, const char *name = nullptr);
    Thread(const Thread &) = delete;
    Thread &operator=(const Thread &) = delete;

    /* Starts task (a function, or a lambda without captures). osErrorResource if this
     * Thread runs already or the board has no thread left (the board's error text says
     * why). */
    osStatus start(void (*task)());
    const char *get_name() const { return name_; }

private:
    void (*task_)() = nullptr;
    const char *name_;
    static void run(void *self);
};

namespace ThisThread {
/* Sleeps ms milliseconds, serving the other core meanwhile (the board's delay). */
void sleep_for(uint32_t ms);
/* Lets other threads run. */
void yield();
} // namespace ThisThread

} // namespace rtos

namespace mbed {
}

#endif
