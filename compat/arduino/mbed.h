/* mbed.h - what the guide's sketches use from Mbed OS: rtos::Thread, ThisThread, and the
 * real-time clock's set_time() (time() reads it). */
#ifndef DUET_ARDUINO_MBED_H
#define DUET_ARDUINO_MBED_H

#include <chrono>
#include <new>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <type_traits>
#include <utility>

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

namespace mbed {

/*
 * mbed's Callback<R(A...)>: a function, a function with a bound first argument, an object
 * and one of its methods, or a lambda/functor (copied in, up to DUET_ARDUINO_CALLABLE_SIZE
 * bytes: no heap). An empty Callback is false; calling it stops the sketch with a line
 * saying so, as mbed's does.
 */
#ifndef DUET_ARDUINO_CALLABLE_SIZE
#define DUET_ARDUINO_CALLABLE_SIZE 64
#endif

namespace detail {
[[noreturn]] void callback_empty();
}

template <typename Fn> class Callback;

template <typename R, typename... A> class Callback<R(A...)> {
public:
    Callback() {}
    Callback(std::nullptr_t) {}
    Callback(R (*f)(A...))
    {
        if (f)
            store([f](A... a) -> R { return f(a...); });
    }
    template <typename T, typename U> Callback(U *obj, R (T::*method)(A...))
    {
        store([obj, method](A... a) -> R { return (obj->*method)(a...); });
    }
    template <typename T, typename U> Callback(const U *obj, R (T::*method)(A...) const)
    {
        store([obj, method](A... a) -> R { return (obj->*method)(a...); });
    }
    /* A function whose first argument is bound to arg: f(arg, a...). */
    template <typename T, typename U> Callback(R (*f)(T *, A...), U *arg)
    {
        store([f, arg](A... a) -> R { return f(arg, a...); });
    }
    /* A lambda or any object with operator()(A...). */
    template <typename Fn, typename = typename std::enable_if<!std::is_same<typename std::decay<Fn>::type, Callback>::value &&
                                                              std::is_invocable_r<R, Fn &, A...>::value>::type>
    Callback(Fn f)
    {
        store(std::move(f));
    }

    Callback(const Callback &other) { copy_from(other); }
    Callback &operator=(const Callback &other)
    {
        if (this != &other) {
            reset();
            copy_from(other);
        }
        return *this;
    }
    ~Callback() { reset(); }

    R call(A... a) const
    {
        if (!ops_)
            detail::callback_empty();
        return ops_->call(storage_, a...);
    }
    R operator()(A... a) const { return call(a...); }
    explicit operator bool() const { return ops_ != nullptr; }

private:
    struct ops {
        R (*call)(const void *f, A... a);
        void (*copy)(void *to, const void *from);
        void (*destroy)(void *f);
    };
    alignas(max_align_t) unsigned char storage_[DUET_ARDUINO_CALLABLE_SIZE];
    const ops *ops_ = nullptr;

    template <typename Fn> static R call_as(const void *f, A... a)
    {
        Fn &fn = *static_cast<Fn *>(const_cast<void *>(f));
        if constexpr (std::is_void<R>::value)
            fn(a...); /* a result the Callback does not have is dropped */
        else
            return fn(a...);
    }
    template <typename Fn> static void copy_as(void *to, const void *from) { new (to) Fn(*static_cast<const Fn *>(from)); }
    template <typename Fn> static void destroy_as(void *f) { static_cast<Fn *>(f)->~Fn(); }

    template <typename Fn> void store(Fn f)
    {
        static_assert(sizeof(Fn) <= DUET_ARDUINO_CALLABLE_SIZE,
                      "mbed::Callback: this callable is larger than DUET_ARDUINO_CALLABLE_SIZE bytes (its captures); "
                      "capture a pointer or a reference instead");
        static_assert(alignof(Fn) <= alignof(max_align_t), "mbed::Callback: this callable needs a stricter alignment");
        static const ops table = {call_as<Fn>, copy_as<Fn>, destroy_as<Fn>};
        new (storage_) Fn(std::move(f));
        ops_ = &table;
    }
    void copy_from(const Callback &other)
    {
        if (other.ops_)
            other.ops_->copy(storage_, other.storage_);
        ops_ = other.ops_;
    }
    void reset()
    {
        if (ops_)
            ops_->destroy(storage_);
        ops_ = nullptr;
    }
};

/* mbed's callback(...): a Callback of the right type for what it is given. */
template <typename R, typename... A> Callback<R(A...)> callback(R (*f)(A...)) { return Callback<R(A...)>(f); }
template <typename T, typename U, typename R, typename... A> Callback<R(A...)> callback(U *obj, R (T::*method)(A...))
{
    return Callback<R(A...)>(obj, method);
}
template <typename T, typename U, typename R, typename... A>
Callback<R(A...)> callback(const U *obj, R (T::*method)(A...) const)
{
    return Callback<R(A...)>(obj, method);
}
template <typename T, typename U, typename R, typename... A> Callback<R(A...)> callback(R (*f)(T *, A...), U *arg)
{
    return Callback<R(A...)>(f, arg);
}
template <typename R, typename... A> Callback<R(A...)> callback(const Callback<R(A...)> &cb) { return cb; }

namespace detail {
template <typename M> struct callback_of_method;
template <typename C, typename R, typename... A> struct callback_of_method<R (C::*)(A...)> {
    typedef Callback<R(A...)> type;
};
template <typename C, typename R, typename... A> struct callback_of_method<R (C::*)(A...) const> {
    typedef Callback<R(A...)> type;
};
} // namespace detail

/* A lambda or functor: the Callback of its operator()'s type. */
template <typename Fn, typename M = decltype(&Fn::operator())>
typename detail::callback_of_method<M>::type callback(Fn f)
{
    return typename detail::callback_of_method<M>::type(std::move(f));
}

/* mbed's ScopedLock: locks in its constructor, unlocks in its destructor. */
template <typename Lockable> class ScopedLock {
public:
    explicit ScopedLock(Lockable &lockable) : lockable_(lockable) { lockable_.lock(); }
    ~ScopedLock() { lockable_.unlock(); }
    ScopedLock(const ScopedLock &) = delete;
    ScopedLock &operator=(const ScopedLock &) = delete;

private:
    Lockable &lockable_;
};

} // namespace mbed

namespace rtos {

/*
 * A thread of this core: start(task) runs task in it (the board's duet_thread_create); join()
 * waits until it has returned. The thread may call RPC and every board function; its RPC
 * calls wait for their answer while loop() keeps running. At most DUET_THREAD_MAX threads
 * per core run at once (a thread that returned frees its place). The priority and stack
 * size are accepted and have no effect (the stacks are the port's, docs/arduino.md).
 */
class Thread {
public:
    explicit Thread(osPriority priority = osPriorityNormal, uint32_t stack_size = OS_STACK_SIZE,
                    unsigned char *stack_mem = nullptr, const char *name = nullptr);
    Thread(const Thread &) = delete;
    Thread &operator=(const Thread &) = delete;
    /* As mbed's: a Thread object outlives its thread (join() before it goes out of scope). */
    ~Thread() {}

    /* Starts task (a function, a lambda, a Callback). osErrorParameter for an empty task;
     * osErrorResource if this Thread was started already or the board has no thread left
     * (a line on the error output says why). */
    osStatus start(mbed::Callback<void()> task);
    /* Waits until the thread has returned. osOK, or osErrorResource (and a line saying why)
     * when it was never started or join() is called from the thread itself. */
    osStatus join();
    const char *get_name() const { return name_; }

private:
    mbed::Callback<void()> task_;
    bool started_ = false;
    unsigned id_ = 0;
    const char *name_;
    static void run(void *self);
};

/*
 * mbed's Mutex: a recursive lock for the threads of one core (the board's duet_mutex). lock()
 * waits as long as another thread holds it; unlock() from a thread that does not hold it
 * stops the sketch with a line saying so, as mbed's error does.
 */
class Mutex {
public:
    Mutex() : Mutex(nullptr) {}
    explicit Mutex(const char *name);
    Mutex(const Mutex &) = delete;
    Mutex &operator=(const Mutex &) = delete;
    ~Mutex();

    void lock();
    /* Takes the mutex if it is free; returns whether it took it. */
    bool trylock();
    /* Takes the mutex if it is free within ms milliseconds. */
    bool trylock_for(uint32_t ms);
    template <typename Rep, typename Period> bool trylock_for(std::chrono::duration<Rep, Period> rel_time)
    {
        return trylock_for((uint32_t)std::chrono::duration_cast<std::chrono::milliseconds>(rel_time).count());
    }
    void unlock();
    /* The duet_thread_self() number of the holder, or -1 if it is free (mbed returns the
     * holder's osThreadId). */
    int get_owner();
    const char *get_name() const { return name_; }

private:
    duet_mutex m_;
    const char *name_;
};

namespace ThisThread {
/* Sleeps ms milliseconds, serving the other core meanwhile (the board's delay). */
void sleep_for(uint32_t ms);
/* Lets other threads run. */
void yield();
} // namespace ThisThread

} // namespace rtos

#endif
