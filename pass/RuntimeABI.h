//===- RuntimeABI.h - The runtime contract, as the pass sees it -*- C++ -*-===//
//
// The C++ view of include/tracemalloc/abi.def, the one definition of the
// contract between the pass and the runtime: its constants, the IR types of
// struct __tm_site and struct __tm_shadow_stack, the functions the pass
// rewrites with the runtime entry points that replace them, and the hooks a
// wrapped allocator family definition calls. Everything here is derived
// from the C prototypes and field types of the .def, so that the pass and
// the runtime cannot disagree.
//
//===----------------------------------------------------------------------===//

#ifndef TRACEMALLOC_RUNTIMEABI_H
#define TRACEMALLOC_RUNTIMEABI_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/Support/ErrorHandling.h"

#include "LLVMCompat.h"

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>

namespace llvm {
namespace tmabi {

// The C names the .def spells its types with.
struct __tm_site;
struct __tm_family_realloc_state;
using tm_site_t = const __tm_site *;
using std::size_t;
using std::uint32_t;

#define TM_ABI_CONSTANT(NAME, VALUE) constexpr unsigned NAME = VALUE;
#include "tracemalloc/abi.def"

// The slot of a frame is its depth masked with TM_SHADOW_CAP - 1.
static_assert((TM_SHADOW_CAP & (TM_SHADOW_CAP - 1)) == 0,
              "the shadow stack's capacity must be a power of two");

/// How the pass sees a C type of the contract in IR. The letters spell the
/// shapes of AllocFnInfo.
enum class Kind : char {
  Void = 'v',
  Pointer = 'p',
  Size = 'z', // size_t: an integer as wide as a pointer on the target
  Int32 = 'i',
};

template <typename T> constexpr Kind kindOf() {
  if constexpr (std::is_void_v<T>)
    return Kind::Void;
  else if constexpr (std::is_pointer_v<T>)
    return Kind::Pointer;
  else if constexpr (std::is_same_v<T, size_t>)
    return Kind::Size;
  else {
    static_assert(std::is_integral_v<T> && sizeof(T) == 4,
                  "abi.def may only use pointers, size_t and 32-bit integers");
    return Kind::Int32;
  }
}

/// The IR type of C type \p T (an array of them too) on the target.
template <typename T> Type *getIRType(LLVMContext &Ctx, const DataLayout &DL) {
  if constexpr (std::is_array_v<T>) {
    return ArrayType::get(getIRType<std::remove_extent_t<T>>(Ctx, DL),
                          std::extent_v<T>);
  } else {
    switch (kindOf<T>()) {
    case Kind::Void:
      return Type::getVoidTy(Ctx);
    case Kind::Pointer:
      return PointerType::getUnqual(Ctx);
    case Kind::Size:
      return DL.getIntPtrType(Ctx);
    case Kind::Int32:
      return Type::getInt32Ty(Ctx);
    }
    llvm_unreachable("unknown ABI kind");
  }
}

/// The IR shape and type of a C function type of the .def.
template <typename FnT> struct Prototype;
template <typename RetT, typename... ParamTs>
struct Prototype<RetT(ParamTs...)> {
  /// The kind of the result, then those of the parameters.
  static constexpr char Shape[] = {static_cast<char>(kindOf<RetT>()),
                                   static_cast<char>(kindOf<ParamTs>())...,
                                   '\0'};
  static constexpr bool ReturnsVoid = std::is_void_v<RetT>;
  /// Whether the last parameter is a site (void stands in for none).
  static constexpr bool TakesSite = std::is_same_v<
      std::tuple_element_t<sizeof...(ParamTs), std::tuple<void, ParamTs...>>,
      tm_site_t>;

  static constexpr StringRef getShape() {
    return StringRef(Shape, sizeof(Shape) - 1);
  }
  static FunctionType *getIRType(LLVMContext &Ctx, const DataLayout &DL) {
    Type *Params[] = {tmabi::getIRType<ParamTs>(Ctx, DL)..., nullptr};
    return FunctionType::get(tmabi::getIRType<RetT>(Ctx, DL),
                             ArrayRef<Type *>(Params, sizeof...(ParamTs)),
                             /*isVarArg=*/false);
  }
};

//===----------------------------------------------------------------------===//
// Site records and the shadow stack.
//===----------------------------------------------------------------------===//

/// The field numbers of struct __tm_site.
namespace SiteField {
enum : unsigned {
#define TM_SITE_FIELD(TYPE, NAME) NAME,
#include "tracemalloc/abi.def"
  NumFields
};
} // namespace SiteField

/// The field numbers of struct __tm_shadow_stack.
namespace ShadowStackField {
enum : unsigned {
#define TM_SHADOW_STACK_FIELD(TYPE, NAME, DIMENSION) NAME,
#include "tracemalloc/abi.def"
  NumFields
};
} // namespace ShadowStackField

// The pass loads and stores the depth at the shadow stack's address.
static_assert(ShadowStackField::depth == 0, "depth must come first");

/// The IR name of struct __tm_site and struct __tm_shadow_stack.
constexpr char SiteTypeName[] = "tm.site";
constexpr char ShadowStackTypeName[] = "tm.shadow_stack";
/// The runtime's thread-local struct __tm_shadow_stack.
constexpr char ShadowStackVarName[] = "__tm_shadow";
/// The runtime's `_Atomic int` that is nonzero while tracing.
constexpr char TracingVarName[] = "__tm_tracing";

/// The named struct type \p Name with \p Fields: the context's if it has one
/// of that layout (named types belong to the context, which other modules
/// may share), else a new one.
inline StructType *getOrCreateStructType(LLVMContext &Ctx, StringRef Name,
                                         ArrayRef<Type *> Fields) {
  if (StructType *Existing = StructType::getTypeByName(Ctx, Name))
    if (!Existing->isOpaque() && Existing->elements() == Fields)
      return Existing;
  return StructType::create(Ctx, Fields, Name);
}

/// %tm.site = type { ptr, ptr, ptr, i32, i32, i32, i32 }
inline StructType *getSiteType(LLVMContext &Ctx, const DataLayout &DL) {
  Type *Fields[] = {
#define TM_SITE_FIELD(TYPE, NAME) getIRType<TYPE>(Ctx, DL),
#include "tracemalloc/abi.def"
  };
  return getOrCreateStructType(Ctx, SiteTypeName, Fields);
}

/// %tm.shadow_stack = type { i32, i32, [TM_SHADOW_CAP x ptr] }
inline StructType *getShadowStackType(LLVMContext &Ctx, const DataLayout &DL) {
  Type *Fields[] = {
#define TM_SHADOW_STACK_FIELD(TYPE, NAME, DIMENSION)                           \
  getIRType<TYPE DIMENSION>(Ctx, DL),
#include "tracemalloc/abi.def"
  };
  return getOrCreateStructType(Ctx, ShadowStackTypeName, Fields);
}

//===----------------------------------------------------------------------===//
// The functions the pass rewrites, and the family hooks.
//===----------------------------------------------------------------------===//

/// Everything the runtime owns is named so; it must not trace itself.
constexpr char RuntimePrefix[] = "__tm_";

inline bool isRuntimeName(StringRef Name) {
  return tmcompat::startsWith(Name, RuntimePrefix);
}

/// One allocation function and its runtime replacement.
struct AllocFnInfo {
  StringRef Name;
  StringRef RuntimeName;
  /// The expected prototype, so that an unrelated function that happens to
  /// carry the same name (say a `static int free(int)`) is left alone: the
  /// kind of the result, then those of the parameters (see Kind).
  StringRef Shape;
  /// free and operator delete untrack a block but never record a
  /// traceback, so reaching one needs no call sites on the stack.
  bool Deallocates;
};

enum class Role { ALLOCATE, DEALLOCATE };

#define TM_ENTRY_POINT(NAME, RUNTIME_NAME, ROLE, RETURN, PARAMS)               \
  static_assert(Prototype<RETURN PARAMS>::ReturnsVoid ==                       \
                    (Role::ROLE == Role::DEALLOCATE),                          \
                #NAME ": only deallocation functions return void");
#include "tracemalloc/abi.def"

inline const AllocFnInfo AllocFns[] = {
#define TM_ENTRY_POINT(NAME, RUNTIME_NAME, ROLE, RETURN, PARAMS)               \
  {#NAME, #RUNTIME_NAME, Prototype<RETURN PARAMS>::getShape(),                 \
   Role::ROLE == Role::DEALLOCATE},
#include "tracemalloc/abi.def"
};

inline const AllocFnInfo *lookupAllocFn(StringRef Name) {
  for (const AllocFnInfo &Info : AllocFns)
    if (Info.Name == Name)
      return &Info;
  return nullptr;
}

/// Whether \p Ty is of kind \p K on a target with \p PointerBits.
inline bool typeHasKind(Type *Ty, Kind K, unsigned PointerBits) {
  switch (K) {
  case Kind::Void:
    return Ty->isVoidTy();
  case Kind::Pointer:
    return Ty->isPointerTy();
  case Kind::Size:
    return Ty->isIntegerTy(PointerBits);
  case Kind::Int32:
    return Ty->isIntegerTy(32);
  }
  llvm_unreachable("unknown ABI kind");
}

/// Whether \p FTy is the prototype \p Shape describes (AllocFnInfo::Shape).
inline bool hasShape(FunctionType *FTy, StringRef Shape, const DataLayout &DL) {
  if (FTy->isVarArg() || FTy->getNumParams() + 1 != Shape.size())
    return false;
  unsigned PointerBits = DL.getPointerSizeInBits();
  if (!typeHasKind(FTy->getReturnType(), Kind(Shape[0]), PointerBits))
    return false;
  for (unsigned I = 0, E = FTy->getNumParams(); I != E; ++I)
    if (!typeHasKind(FTy->getParamType(I), Kind(Shape[I + 1]), PointerBits))
      return false;
  return true;
}

/// The runtime functions a family wrapper calls.
enum class FamilyHook {
#define TM_FAMILY_HOOK(NAME, RETURN, PARAMS) NAME,
#include "tracemalloc/abi.def"
};

inline StringRef getFamilyHookName(FamilyHook Hook) {
  switch (Hook) {
#define TM_FAMILY_HOOK(NAME, RETURN, PARAMS)                                   \
  case FamilyHook::NAME:                                                       \
    return #NAME;
#include "tracemalloc/abi.def"
  }
  llvm_unreachable("unknown family hook");
}

inline FunctionType *getFamilyHookType(FamilyHook Hook, LLVMContext &Ctx,
                                       const DataLayout &DL) {
  switch (Hook) {
#define TM_FAMILY_HOOK(NAME, RETURN, PARAMS)                                   \
  case FamilyHook::NAME:                                                       \
    return Prototype<RETURN PARAMS>::getIRType(Ctx, DL);
#include "tracemalloc/abi.def"
  }
  llvm_unreachable("unknown family hook");
}

/// Whether \p Name is a family hook whose last argument is a site (null in
/// the wrapper, the caller's once inlined).
inline bool isFamilyRecordFunction(StringRef Name) {
#define TM_FAMILY_HOOK(NAME, RETURN, PARAMS)                                   \
  if (Prototype<RETURN PARAMS>::TakesSite && Name == #NAME)                    \
    return true;
#include "tracemalloc/abi.def"
  return false;
}

} // namespace tmabi
} // namespace llvm

#endif // TRACEMALLOC_RUNTIMEABI_H
