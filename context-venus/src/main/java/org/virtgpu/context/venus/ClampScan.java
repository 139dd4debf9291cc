package org.virtgpu.context.venus;

import java.util.HashMap;
import java.util.Map;

/**
 * Whether a valid SPIR-V module has an index that {@link SpirvValidator}'s clamping pass must bound: an access chain
 * index into an array, vector or matrix that is not inside a Uniform or StorageBuffer block, and that is not a
 * constant known to be in range. Indices inside buffer blocks need no clamp (lavapipe bounds-checks buffer accesses
 * against the descriptor's range), and the pass puts a length query and a clamp before each such access (add.comp's
 * compute_4m was 1.01x and 1.11x with the pass against without it in two {@code seqab.sh} runs, this machine's A/B
 * spread being about 10%), so a module whose only indices are such goes to the driver as the client wrote it. Conservative: an access chain whose base's type this scan does not know,
 * an OpPtrAccessChain outside a buffer, a runtime array or a length from a specialization constant all count as
 * needing the pass.
 */
final class ClampScan {
    static final int OP_TYPE_VECTOR = 23, OP_TYPE_MATRIX = 24, OP_TYPE_ARRAY = 28, OP_TYPE_RUNTIME_ARRAY = 29;
    static final int OP_TYPE_STRUCT = 30, OP_TYPE_POINTER = 32, OP_CONSTANT = 43, OP_VARIABLE = 59;
    static final int OP_FUNCTION_PARAMETER = 55, OP_LOAD = 61, OP_ACCESS_CHAIN = 65, OP_IN_BOUNDS_ACCESS_CHAIN = 66;
    static final int OP_PTR_ACCESS_CHAIN = 67, OP_COPY_OBJECT = 83, OP_IN_BOUNDS_PTR_ACCESS_CHAIN = 70;
    static final int UNIFORM = 2, STORAGE_BUFFER = 12;

    private ClampScan() {
    }

    /** Whether the little-endian SPIR-V code has an index the clamping pass must bound (see the class comment). */
    static boolean needed(byte[] code) {
        Spirv.Words words = Spirv.of(code);
        long count = code.length / 4;
        Map<Integer, int[]> types = new HashMap<>(); // type id -> its instruction's words
        Map<Integer, Long> constants = new HashMap<>(); // 32-bit integer constants
        Map<Integer, Integer> typeOf = new HashMap<>(); // pointer-valued id -> its type id
        boolean[] needed = {false};
        long end = Spirv.walk(words, count, 5, (w, op, n) -> {
            if ((op == OP_TYPE_VECTOR || op == OP_TYPE_MATRIX || op == OP_TYPE_ARRAY || op == OP_TYPE_RUNTIME_ARRAY
                    || op == OP_TYPE_STRUCT || op == OP_TYPE_POINTER) && n >= 2) {
                int[] t = instruction(words, w, n);
                types.put(t[1], t);
            } else if (op == OP_CONSTANT && n == 4) {
                constants.put(words.at(w + 2), Integer.toUnsignedLong(words.at(w + 3)));
            } else if ((op == OP_VARIABLE || op == OP_FUNCTION_PARAMETER || op == OP_LOAD || op == OP_COPY_OBJECT)
                    && n >= 3) {
                typeOf.put(words.at(w + 2), words.at(w + 1));
            } else if (op == OP_ACCESS_CHAIN || op == OP_IN_BOUNDS_ACCESS_CHAIN || op == OP_PTR_ACCESS_CHAIN
                    || op == OP_IN_BOUNDS_PTR_ACCESS_CHAIN) {
                if (n >= 4) {
                    typeOf.put(words.at(w + 2), words.at(w + 1));
                }
                needed[0] = n < 4 || unbounded(instruction(words, w, n),
                        op == OP_PTR_ACCESS_CHAIN || op == OP_IN_BOUNDS_PTR_ACCESS_CHAIN, types, constants, typeOf);
            }
            return !needed[0];
        });
        return needed[0] || end < count; // a malformed module counts as needing the pass
    }

    private static int[] instruction(Spirv.Words words, long w, int n) {
        int[] in = new int[n];
        for (int k = 0; k < n; k++) {
            in[k] = words.at(w + k);
        }
        return in;
    }

    /** Whether an access chain ({op, result type, result, base, indices...}) has an index the pass must bound. */
    private static boolean unbounded(int[] chain, boolean ptr, Map<Integer, int[]> types, Map<Integer, Long> constants,
            Map<Integer, Integer> typeOf) {
        Integer baseType = typeOf.get(chain[3]);
        int[] pointer = baseType == null ? null : types.get(baseType);
        if (pointer == null || (pointer[0] & 0xffff) != OP_TYPE_POINTER || pointer.length < 4) {
            return true;
        }
        boolean buffer = pointer[2] == UNIFORM || pointer[2] == STORAGE_BUFFER;
        int first = 4;
        if (ptr) { // the Element operand indexes the base pointer itself
            if (!buffer) {
                return true;
            }
            first = 5;
        }
        // a pointer into a buffer block from an earlier chain: its type is inside the block unless it is the
        // block's own struct or an array of blocks (descriptors)
        boolean inBlock = buffer && !descriptorLevel(pointer[3], types);
        int[] t = types.get(pointer[3]);
        for (int k = first; k < chain.length; k++) {
            if (t == null) {
                return !inBlock;
            }
            int op = t[0] & 0xffff;
            if (op == OP_TYPE_STRUCT) {
                Long member = constants.get(chain[k]);
                if (member == null || member + 2 >= t.length) {
                    return true;
                }
                inBlock |= buffer;
                t = types.get(t[(int) (member + 2)]);
                continue;
            }
            if (op != OP_TYPE_ARRAY && op != OP_TYPE_RUNTIME_ARRAY && op != OP_TYPE_VECTOR && op != OP_TYPE_MATRIX) {
                return !inBlock; // indexing something that is not a composite: let the pass judge
            }
            if (!inBlock) {
                Long index = constants.get(chain[k]);
                Long length = op == OP_TYPE_ARRAY ? constants.get(t[3]) : op == OP_TYPE_RUNTIME_ARRAY ? null
                        : Integer.toUnsignedLong(t[3]);
                if (index == null || length == null || index >= length) {
                    return true;
                }
            }
            t = types.get(t[2]);
        }
        return false;
    }

    /** Whether a buffer pointer's pointee is the block itself or an array of blocks (not yet inside one). */
    private static boolean descriptorLevel(int type, Map<Integer, int[]> types) {
        int[] t = types.get(type);
        for (int hops = 0; t != null && hops < 16; hops++) {
            int op = t[0] & 0xffff;
            if (op == OP_TYPE_STRUCT) {
                return true;
            }
            if (op != OP_TYPE_ARRAY && op != OP_TYPE_RUNTIME_ARRAY) {
                return false;
            }
            t = types.get(t[2]);
        }
        return false;
    }
}
