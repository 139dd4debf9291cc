package org.virtgpu.context.venus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.virtgpu.context.venus.gen.VnChain;

/**
 * HotSpot never JIT-compiles a method of more than 8000 bytes of bytecode (-XX:HugeMethodLimit, with
 * DontCompileHugeMethods on by default): such a method runs interpreted for the life of the process. The generated
 * pNext chain decoder once was one (8524 bytes), and every command with a pNext ran through the interpreter: 1.5 us
 * per vkCreateBuffer instead of 0.2. This keeps every method of the bundle, generated or not, under the limit.
 */
class MethodSizeTest {
    static final int HUGE_METHOD_LIMIT = 8000;

    @Test
    void noMethodIsTooBigForTheJit() throws Exception {
        Path classes = Path.of(VnChain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> huge = new ArrayList<>();
        int methods = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                ClassModel cm = ClassFile.of().parse(read(f));
                for (MethodModel m : cm.methods()) {
                    var code = m.findAttribute(Attributes.code());
                    if (code.isEmpty()) {
                        continue;
                    }
                    methods++;
                    int length = code.get().codeLength();
                    if (length > HUGE_METHOD_LIMIT) {
                        huge.add(cm.thisClass().asInternalName() + "." + m.methodName().stringValue() + " (" + length + " bytes)");
                    }
                }
            }
        }
        assertTrue(methods > 1000, "read the generated decoder too: " + methods + " methods in " + classes);
        assertEquals(List.of(), huge, "methods HotSpot would never compile");
    }

    private static byte[] read(Path f) throws IOException {
        return Files.readAllBytes(f);
    }
}
