; Errors in the configuration file (TRACEMALLOC_CONFIG or
; -tracemalloc-config) are reported as FILE:LINE and fail the compilation;
; so are family functions whose definition does not fit their entry.
;
; RUN: printf '# families\n\nalloc foo size=0 domain=1\n' > %t.kind
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.kind -disable-output %s 2>&1 | FileCheck --check-prefix=KIND %s
; KIND: error: tracemalloc: {{.*}}.kind:3: unknown entry 'alloc' (expected malloc, calloc, realloc, free, fun: or src:)
; The environment variable, and the pass at the start of the pipeline.
; RUN: env TRACEMALLOC_CONFIG=%t.kind not %opt -passes=tracemalloc-families -disable-output %s 2>&1 | FileCheck --check-prefix=KIND %s
; Reported once per module, though both passes run.
; RUN: env TRACEMALLOC_CONFIG=%t.kind not %opt -O2 -disable-output %s 2>&1 | FileCheck --check-prefix=ONCE %s
; ONCE: error: tracemalloc: {{.*}}.kind:3: unknown entry
; ONCE-NOT: error
;
; RUN: printf 'malloc\n' > %t.noname
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.noname -disable-output %s 2>&1 | FileCheck --check-prefix=NONAME %s
; NONAME: {{.*}}.noname:1: 'malloc' needs a function name
; RUN: printf 'free size=0 domain=1\n' > %t.noname2
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.noname2 -disable-output %s 2>&1 | FileCheck --check-prefix=NONAME2 %s
; NONAME2: {{.*}}.noname2:1: 'free' needs a function name
;
; RUN: printf 'malloc foo size=x domain=1\n' > %t.nan
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.nan -disable-output %s 2>&1 | FileCheck --check-prefix=NAN %s
; NAN: {{.*}}.nan:1: 'size=x': the value is not a number
; RUN: printf 'malloc foo size=-1 domain=1\n' > %t.neg
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.neg -disable-output %s 2>&1 | FileCheck --check-prefix=NEG %s
; NEG: {{.*}}.neg:1: 'size=-1': the value is not a number
; RUN: printf 'malloc foo size=256 domain=1\n' > %t.index
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.index -disable-output %s 2>&1 | FileCheck --check-prefix=INDEX %s
; INDEX: {{.*}}.index:1: 'size=256': parameter indices are 0 to 255
; RUN: printf 'malloc foo size=0 domain=4294967296\n' > %t.domain
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.domain -disable-output %s 2>&1 | FileCheck --check-prefix=DOMAIN %s
; DOMAIN: {{.*}}.domain:1: 'domain=4294967296': domains are 32-bit numbers
; RUN: printf 'realloc foo ptr=0 size=1 domain=1 zero_frees=2\n' > %t.zero
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.zero -disable-output %s 2>&1 | FileCheck --check-prefix=ZERO %s
; ZERO: {{.*}}.zero:1: 'zero_frees=2': zero_frees is 0 or 1
;
; RUN: printf 'malloc foo ptr=0 domain=1\n' > %t.key
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.key -disable-output %s 2>&1 | FileCheck --check-prefix=KEY %s
; KEY: {{.*}}.key:1: unknown key 'ptr' for a malloc function (expected size, domain)
; RUN: printf 'free foo ptr=0 zero_frees=1 domain=1\n' > %t.key2
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.key2 -disable-output %s 2>&1 | FileCheck --check-prefix=KEY2 %s
; KEY2: {{.*}}.key2:1: unknown key 'zero_frees' for a free function (expected ptr, domain)
; RUN: printf 'malloc foo size 0 domain=1\n' > %t.word
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.word -disable-output %s 2>&1 | FileCheck --check-prefix=WORD %s
; WORD: {{.*}}.word:1: expected KEY=VALUE, not 'size'
; RUN: printf 'malloc foo size=0 size=1 domain=1\n' > %t.twice
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.twice -disable-output %s 2>&1 | FileCheck --check-prefix=TWICE %s
; TWICE: {{.*}}.twice:1: 'size' is given twice
;
; RUN: printf 'free foo ptr=0\n' > %t.nodomain
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.nodomain -disable-output %s 2>&1 | FileCheck --check-prefix=NODOMAIN %s
; NODOMAIN: {{.*}}.nodomain:1: 'free foo' needs domain=DOMAIN
; RUN: printf 'calloc foo size=1 domain=1\n' > %t.nonmemb
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.nonmemb -disable-output %s 2>&1 | FileCheck --check-prefix=NONMEMB %s
; NONMEMB: {{.*}}.nonmemb:1: 'calloc foo' needs nmemb=INDEX
;
; RUN: printf 'malloc foo size=0 domain=1\n\nfree foo ptr=0 domain=1\n' > %t.dup
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.dup -disable-output %s 2>&1 | FileCheck --check-prefix=DUP %s
; DUP: {{.*}}.dup:3: 'foo' is already named on line 1
;
; The ignore list: the sanitizers' syntax, without sections or categories.
; RUN: printf '[address]\nfun:foo\n' > %t.section
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.section -disable-output %s 2>&1 | FileCheck --check-prefix=SECTION %s
; SECTION: {{.*}}.section:1: sections are not supported: every entry applies
; RUN: printf 'fun:foo=init\n' > %t.category
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.category -disable-output %s 2>&1 | FileCheck --check-prefix=CATEGORY %s
; CATEGORY: {{.*}}.category:1: categories ('=...') are not supported: 'fun:foo=init'
; RUN: printf 'src:\n' > %t.empty
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.empty -disable-output %s 2>&1 | FileCheck --check-prefix=EMPTY %s
; EMPTY: {{.*}}.empty:1: 'src:' needs a pattern
; RUN: printf 'fun:ok*\nfun:[\n' > %t.glob
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.glob -disable-output %s 2>&1 | FileCheck --check-prefix=GLOB %s
; GLOB: {{.*}}.glob:2: bad pattern '[': invalid glob pattern{{.*}}
; RUN: printf 'type:foo\n' > %t.type
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.type -disable-output %s 2>&1 | FileCheck --check-prefix=TYPE %s
; TYPE: {{.*}}.type:1: unknown entry 'type:foo' (expected malloc, calloc, realloc, free, fun: or src:)
;
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.missing -disable-output %s 2>&1 | FileCheck --check-prefix=MISSING %s
; MISSING: error: tracemalloc: {{.*}}.missing: cannot read the configuration file: No such file or directory
;
; Definitions that do not fit their entry.
; RUN: printf 'malloc one_param size=1 domain=1\n' > %t.param
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.param -disable-output %s 2>&1 | FileCheck --check-prefix=PARAM %s
; PARAM: {{.*}}.param:1: 'one_param' cannot be a malloc function: size=1, but it has 1 parameters (counting from 0)
; RUN: printf 'malloc one_param size=0 domain=1\nfree one_param ptr=0 domain=2\n' > %t.dup2
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.dup2 -disable-output %s 2>&1 | FileCheck --check-prefix=DUP2 %s
; DUP2: {{.*}}.dup2:2: 'one_param' is already named on line 1
; RUN: printf 'free one_param ptr=0 domain=1\n' > %t.ptr
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.ptr -disable-output %s 2>&1 | FileCheck --check-prefix=PTR %s
; PTR: {{.*}}.ptr:1: 'one_param' cannot be a free function: parameter 0 (ptr) is i64, not a pointer
; RUN: printf 'calloc takes_ptr nmemb=0 size=0 domain=1\n' > %t.int
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.int -disable-output %s 2>&1 | FileCheck --check-prefix=INT %s
; INT: {{.*}}.int:1: 'takes_ptr' cannot be a calloc function: parameter 0 (nmemb) is ptr, not an integer
; RUN: printf 'malloc returns_void size=0 domain=1\n' > %t.void
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.void -disable-output %s 2>&1 | FileCheck --check-prefix=VOID %s
; VOID: {{.*}}.void:1: 'returns_void' cannot be a malloc function: it does not return a pointer
; RUN: printf 'malloc varargs size=0 domain=1\n' > %t.va
; RUN: not %opt -passes=tracemalloc -tracemalloc-config=%t.va -disable-output %s 2>&1 | FileCheck --check-prefix=VA %s
; VA: {{.*}}.va:1: 'varargs' cannot be a malloc function: it takes variable arguments
;
; A valid file is silent (comments, blank lines, tabs; domain 0 is allowed).
; RUN: printf '# ok\n\n  malloc\tone_param  size=0\tdomain=0  \n\tfun:*\n' > %t.ok
; RUN: %opt -passes=tracemalloc -tracemalloc-config=%t.ok -disable-output %s 2>&1 | count 0

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

define ptr @one_param(i64 %size) {
  ret ptr null
}

define ptr @takes_ptr(ptr %p) {
  ret ptr %p
}

define void @returns_void(i64 %size) {
  ret void
}

define ptr @varargs(i64 %size, ...) {
  ret ptr null
}
