// Build-time patch for cornerstone-wado-image-loader 4.13's codec worker. Its WebAssembly codecs
// (OpenJPEG, CharLS, libjpeg-turbo, OpenJPH) were compiled with embind's dynamic code generation:
// `createNamedFunction`, `craftInvokerFunction` and `craftEmvalAllocator` build functions with `new Function`, which our
// CSP (script-src without 'unsafe-eval', inherited by the blob: worker) forbids, so every JPEG 2000,
// JPEG-LS and JPEG baseline decode failed. Rather than open the whole UI to eval, both are replaced
// by closure-based equivalents (what emscripten itself emits with DYNAMIC_EXECUTION=0). Same behaviour,
// minus the generated functions' display names.
//
// The worker ships as a string literal inside the main bundle, so replacements must be valid both
// as code and inside a single-quoted string: no quotes of that kind, no newlines. The patch counts
// what it replaced and fails the build when the bundle no longer looks as expected.

/** `new Function("body", "return function NAME() { return body.apply(this, arguments); }")(body)` */
const NAMED_FUNCTION = /new Function\("body","return function "\+[\w$]+\+\\?'\(\) \{\\{1,2}n {4}"use strict"; {4}return body\.apply\(this, arguments\);\\{1,2}n\};\\{1,2}n\\?'\)\(([\w$]+)\)/g;

/** embind's craftInvokerFunction(humanName, argTypes, classType, cppInvokerFunc, cppTargetFunc). */
const INVOKER = /function ([\w$]+)\(([\w$]+),([\w$]+),([\w$]+),([\w$]+),([\w$]+)\)\{var [\w$]+=\3\.length;[\w$]+<2&&([\w$]+)\("argTypes array size mismatch![^]*?\(Function,[\w$]+\)\.apply\(null,[\w$]+\)\}/g;

function invokerWithoutEval(name: string, humanName: string, argTypes: string, classType: string, invoker: string, target: string, throwBindingError: string, runDestructors: string): string {
  const [h, t, c, inv, fn, tbe, rd] = [humanName, argTypes, classType, invoker, target, throwBindingError, runDestructors];
  return (
    `function ${name}(${h},${t},${c},${inv},${fn}){` +
    `var __n=${t}.length;__n<2&&${tbe}("argTypes array size mismatch!");` +
    `var __m=null!==${t}[1]&&null!==${c},__d=!1;` +
    `for(var __o=1;__o<__n;++__o)if(null!==${t}[__o]&&void 0===${t}[__o].destructorFunction){__d=!0;break}` +
    `var __r="void"!==${t}[0].name,__x=__n-2;` +
    `return function(){` +
    `if(arguments.length!==__x)${tbe}("function "+${h}+" called with "+arguments.length+" arguments, expected "+__x+" args!");` +
    `var __s=__d?[]:null,__tw,__w=new Array(__x),__a=[${fn}];` +
    `__m&&(__tw=${t}[1].toWireType(__s,this),__a.push(__tw));` +
    `for(var __i=0;__i<__x;++__i)__w[__i]=${t}[__i+2].toWireType(__s,arguments[__i]),__a.push(__w[__i]);` +
    `var __v=${inv}.apply(null,__a);` +
    `if(__d)${rd}(__s);else for(var __k=__m?1:2;__k<${t}.length;++__k){var __p=1===__k?__tw:__w[__k-2];null!==${t}[__k].destructorFunction&&${t}[__k].destructorFunction(__p)}` +
    `if(__r)return ${t}[0].fromWireType(__v)}}`
  );
}

/** embind's craftEmvalAllocator(argCount), used by `val::new_` (e.g. to create typed arrays). */
const EMVAL_ALLOCATOR = /function\(([\w$]+)\)\{for\(var [\w$]+="",(?:(?!function\()[^])*?new Function\("requireRegisteredType","Module","valueToHandle","getMemory",[\w$]+\)\(([\w$]+),[\w$]+,([\w$.]+),\(\(\)=>([\w$]+)\)\)\}/g;

function emvalAllocatorWithoutEval(argCount: string, requireRegisteredType: string, valueToHandle: string, heapU32: string): string {
  return (
    `function(${argCount}){return function(__c,__t,__g){` +
    `for(var __l=[],__i=0;__i<${argCount};++__i){var __y=${requireRegisteredType}(${heapU32}[__t>>2],"parameter "+__i);` +
    `__l.push(__y.readValueFromPointer(__g)),__g+=__y.argPackAdvance,__t+=4}` +
    `return ${valueToHandle}(Reflect.construct(__c,__l))}}`
  );
}

export interface PatchResult {
  code: string;
  namedFunctions: number;
  invokers: number;
  emvalAllocators: number;
}

export function removeEmbindEval(code: string): PatchResult {
  let namedFunctions = 0;
  let invokers = 0;
  let emvalAllocators = 0;
  let out = code.replace(NAMED_FUNCTION, (_m, body: string) => {
    namedFunctions++;
    return `(function(){return ${body}.apply(this,arguments)})`;
  });
  out = out.replace(INVOKER, (whole: string, name: string, h: string, t: string, c: string, inv: string, fn: string, tbe: string) => {
    // runDestructors is the 4th entry of the generated function's argument values: [tbe, invoker, fn, runDestructors, ...]
    const values = new RegExp(`\\[${escape(tbe)},${escape(inv)},${escape(fn)},([\\w$]+),${escape(t)}\\[0\\],${escape(t)}\\[1\\]\\]`).exec(whole);
    if (!values) return whole;
    invokers++;
    return invokerWithoutEval(name, h, t, c, inv, fn, tbe, values[1]!);
  });
  out = out.replace(EMVAL_ALLOCATOR, (_m, argCount: string, rrt: string, v2h: string, heap: string) => {
    emvalAllocators++;
    return emvalAllocatorWithoutEval(argCount, rrt, v2h, heap);
  });
  return { code: out, namedFunctions, invokers, emvalAllocators };
}

function escape(s: string): string {
  return s.replace(/[$]/g, '\\$');
}
