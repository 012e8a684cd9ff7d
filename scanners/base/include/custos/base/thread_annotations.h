// Clang thread-safety annotations (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html).
// With Clang and -Wthread-safety the compiler checks that every member marked
// GUARDED_BY(mu) is only touched with mu held and that functions marked REQUIRES(mu) are
// only called with it held; with GCC the macros expand to nothing. The build with
// CUSTOS_THREAD_SAFETY=ON (packaging/dev/test's build-clang) makes any breach an error.
// Use them with custos::Mutex, MutexLock and CondVar (custos/base/mutex.h): libstdc++'s
// std::mutex carries no annotations.
#pragma once

#if defined(__clang__)
#define CUSTOS_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define CUSTOS_THREAD_ANNOTATION(x)
#endif

// A type that is a capability (a mutex), or a RAII type that holds one for its scope.
#define CAPABILITY(name) CUSTOS_THREAD_ANNOTATION(capability(name))
#define SCOPED_CAPABILITY CUSTOS_THREAD_ANNOTATION(scoped_lockable)

// Data: read or written only with the capability held (PT_: the pointee, not the
// pointer).
#define GUARDED_BY(x) CUSTOS_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) CUSTOS_THREAD_ANNOTATION(pt_guarded_by(x))

// Lock order between capabilities.
#define ACQUIRED_BEFORE(...) CUSTOS_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) CUSTOS_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// Functions: the caller must hold (REQUIRES) or must not hold (EXCLUDES) the capability;
// the function acquires or releases it.
#define REQUIRES(...) CUSTOS_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) CUSTOS_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) CUSTOS_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) CUSTOS_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) CUSTOS_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) CUSTOS_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) CUSTOS_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#define TRY_ACQUIRE(...) CUSTOS_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define EXCLUDES(...) CUSTOS_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) CUSTOS_THREAD_ANNOTATION(assert_capability(x))
#define RETURN_CAPABILITY(x) CUSTOS_THREAD_ANNOTATION(lock_returned(x))

// Turns the analysis off for one function: only where it cannot follow the locking
// (say why next to it).
#define NO_THREAD_SAFETY_ANALYSIS CUSTOS_THREAD_ANNOTATION(no_thread_safety_analysis)
