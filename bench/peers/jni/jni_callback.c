/* SPDX-License-Identifier: MIT */
/* The JNI peer of cbridge's warm callback from a foreign thread
 * (bench/compare.py): a C program creates a JVM (JNI_CreateJavaVM), a
 * pthread it created attaches itself once (AttachCurrentThread, as
 * cbridge binds a C thread an M on its first callback and keeps it) and
 * then calls the static empty method Empty.empty() n times with
 * CallStaticVoidMethod. Prints "JniCThreadCallsJava NS", the median of 5
 * loops' ns per call, after a warm-up that lets the JIT compile the method.
 * Usage: jni_callback CLASSPATH */
#include <jni.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static JavaVM* vm;

struct loop {
  long n;
  double ns[5];
  int failed;
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static void* run(void* p) {
  struct loop* l = p;
  JNIEnv* env;
  if ((*vm)->AttachCurrentThread(vm, (void**)&env, NULL) != JNI_OK) {
    l->failed = 1;
    return NULL;
  }
  jclass cls = (*env)->FindClass(env, "Empty");
  jmethodID m = cls ? (*env)->GetStaticMethodID(env, cls, "empty", "()V") : NULL;
  if (m == NULL) {
    l->failed = 1;
  } else {
    for (long i = 0; i < 1000000; i++) (*env)->CallStaticVoidMethod(env, cls, m); /* warm-up, JIT */
    for (int r = 0; r < 5; r++) {
      double a = now();
      for (long i = 0; i < l->n; i++) (*env)->CallStaticVoidMethod(env, cls, m);
      l->ns[r] = (now() - a) / l->n;
    }
    if ((*env)->ExceptionCheck(env)) l->failed = 1;
  }
  (*vm)->DetachCurrentThread(vm);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CLASSPATH\n", argv[0]);
    return 2;
  }
  char cp[4096];
  snprintf(cp, sizeof cp, "-Djava.class.path=%s", argv[1]);
  JavaVMOption opts[] = {{.optionString = cp}};
  JavaVMInitArgs args = {.version = JNI_VERSION_10, .nOptions = 1, .options = opts,
                         .ignoreUnrecognized = JNI_FALSE};
  JNIEnv* env;
  if (JNI_CreateJavaVM(&vm, (void**)&env, &args) != JNI_OK) {
    fprintf(stderr, "jni_callback: JNI_CreateJavaVM failed\n");
    return 1;
  }
  struct loop l = {.n = 1000000};
  pthread_t t;
  if (pthread_create(&t, NULL, run, &l) != 0 || pthread_join(t, NULL) != 0 || l.failed) {
    fprintf(stderr, "jni_callback: the C thread could not call Empty.empty()\n");
    return 1;
  }
  qsort(l.ns, 5, sizeof l.ns[0], cmp);
  printf("JniCThreadCallsJava %.2f\n", l.ns[2]);
  fflush(stdout);
  /* DestroyJavaVM waits for the JVM's threads; exit at once instead. */
  _exit(0);
}
