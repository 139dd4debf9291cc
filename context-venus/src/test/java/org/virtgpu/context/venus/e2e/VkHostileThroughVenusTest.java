package org.virtgpu.context.venus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * e2e/venus/vkhostile.c through Mesa's Venus ICD: image, render pass, pipeline, descriptor and query commands whose
 * regions, subresources, render areas, dynamic offsets, indices or counts leave their objects or the driver's fixed
 * arrays. Run on lavapipe directly, imagebind, imgtobuf, imgregion, copyimage, framebuffer, renderarea, clearatt,
 * dynoffset, vbuffers, query, querycopy and pipeline viewports, blend, rendering and subpass each died (SIGSEGV, heap
 * or stack corruption caught by glibc); through the server before the executor checked them, imagebind, imgtobuf,
 * imgregion, copyimage, framebuffer, renderarea, dynoffset, query and querycopy each killed its JVM (buftoimg read
 * server memory into an image the client could read back; the others wrote past lavapipe's state without an
 * immediate crash). The spirv mode killed lavapipe directly and the server's JVM in vkCreateComputePipelines, with a
 * module spirv-val rejects (seed 146) and with valid modules using a set or binding their layout lacks (344, 693);
 * setlayout far (a dispatch whose pipeline layout puts the shader's buffer 4097 descriptors into a set of one) and
 * unbound (a dispatch with no set bound) killed both in lavapipe's compute worker, as did arrayindex (a storage
 * buffer written through element 100000 of an array of four descriptors). Draws through tessellation pipelines with a
 * control shader's OutputVertices or a patch's control points past maxTessellationPatchSize, a dynamic patch
 * control point count, a patch list without tessellation stages or a dynamic patch list for a triangle pipeline each
 * killed lavapipe directly. Here every mode runs on one server, and a normal client must pass after all of them.
 */
class VkHostileThroughVenusTest {
    @TempDir
    Path tmp;

    /**
     * Modes (and a variant after a space) whose refusal (or, for the draws, whose harmlessness) leaves the client
     * working: it reports PASS (its last step checks the device).
     */
    static final List<String> REFUSED_COMMANDS = List.of("imagebind", "buftoimg", "imgtobuf", "imgregion", "copyimage",
            "blit", "resolve", "clearmip", "renderarea", "clearatt", "dynoffset", "pushconst", "viewport", "vbuffers",
            "sets", "inherit", "query", "querycopy", "queryget",
            // not refused: lavapipe bounds-checks vertex and index fetches (its context is robust), so these must
            // simply pass through without harm
            "draw", "drawidx",
            // descriptor sets laid out unlike the pipeline layout's sets, or none bound (far and unbound killed
            // lavapipe directly and the server's JVM; the plain one lavapipe survives)
            "setlayout", "setlayout far", "unbound",
            // not refused: the driver gets the shader with its descriptor array index clamped (spirv-opt
            // --graphics-robust-access); index 100000 of four killed lavapipe directly and the server's JVM
            "arrayindex",
            // a descriptor write past its binding's descriptors, and a storage image descriptor of an image made
            // without STORAGE usage (both killed lavapipe in vkUpdateDescriptorSets)
            "descwrite", "desctype usage",
            // a combined image sampler written without a sampler, a storage texel buffer descriptor of a buffer
            // made for uniform texel use (each killed lavapipe in vkUpdateDescriptorSets)
            "descview sampler", "descview texel",
            // an inline uniform block of 16 bytes written with 1 MiB of data, or with a count of 1 MiB (both killed
            // lavapipe; the first killed the server's JVM)
            "inline", "inline count",
            // not refused: 3D reads of 2D views, and a 4 KiB push constant block read where the layout gives 4
            // bytes (lavapipe survives both and reads zeros for the second; kept so that it stays so)
            "viewtype", "pushbig",
            // not refused: a fragment shader writing colour location 7 with one attachment (lavapipe survives it)
            "draw fragout",
            // a tessellated draw, and one whose level is specialized to 1e30 (lavapipe clamps it)
            "draw tess", "draw tesslevel",
            // draws refused: a dynamic topology of the other class than the pipeline's (a patch list for a
            // triangle pipeline killed lavapipe with SIGFPE; a triangle list for a tessellation pipeline)
            "draw topodyn", "draw tesstopo",
            // a dispatch sampling combined image sampler descriptors never written (killed lavapipe and the JVM:
            // the server now fills them at allocation); samplers with a border colour past VkBorderColor, the same
            // where no address mode uses it (rewritten), a custom one without its structure (each killed lavapipe
            // in vkCreateSampler; the refused samplers leave the filled descriptors)
            "sampler unset", "sampler border", "sampler borderedge", "sampler customnone",
            // a copy of 16-byte texels into an image of 4-byte ones (lavapipe survives it; the formats are not
            // size-compatible, so the copy is dropped)
            "copyimage fmt",
            // a render pass rendering views 0-7 begun on an imageless framebuffer with a one-layer view (killed
            // lavapipe; the begin is refused, the command buffer not submitted)
            "imgsamples 1 imageless",
            // not refused: graphics pipelines without vertex input, viewport or colour blend state, or with a static
            // viewport or scissor whose array is NULL, or without depth/stencil state for a subpass with a depth
            // attachment (lavapipe survives those; session 13)
            "pipeline novi", "pipeline novp", "pipeline nocb", "pipeline vpnull", "pipeline scnull",
            "pipeline dsnull", "pipeline blend0",
            // transform feedback and conditional rendering (session 14): a counter buffer read and written 1 GiB
            // past its buffer, binding 100, vkCmdDrawIndirectByteCountEXT with a vertex stride of 0 (SIGFPE) and
            // with its counter 1 GiB past its buffer, a conditional rendering predicate 1 GiB past its buffer
            // (each killed lavapipe directly); 1 MiB bound from a 64-byte buffer, an indexed query of vertex
            // stream 100 (lavapipe survives those two here, its draw captures nothing)
            "xfb counter", "xfb binding", "xfb bytecount", "xfb bytecountoff", "xfb condrender", "xfb bind",
            "xfb stream",
            // an end of transform feedback never begun, with a counter buffer (killed lavapipe: it reads the counter
            // through a stream output target never bound); 1 MiB bound from a 64-byte buffer with a vertex shader
            // capturing 3M vertices into it (killed lavapipe); a begin never ended, a capture into buffer 0 with only
            // binding 1 bound (lavapipe survives those two) and a valid capture
            "xfb endonly", "xfb bindcap", "xfb beginonly", "xfb gap", "xfb capture",
            // not refused: conditional rendering begun twice and ended twice, once outside the render pass
            // (lavapipe survives it; kept so that it stays so)
            "xfb condnest",
            // vkCmdSetRasterizationSamplesEXT of 1000 samples (withheld until session 15, a sample count past its
            // enum since: the command buffer is not submitted; lavapipe survives it)
            "draw samples3",
            // VK_EXT_color_write_enable: 100 dynamic enables of 8 (refused, not submitted), the enables dynamic and
            // never set (lavapipe survives it)
            "draw cwedyn", "draw cweunset",
            // extended dynamic state 2's patch control points: left unset (SIGFPE in lavapipe's draw; the draw is
            // dropped), set to 2^10 (SIGFPE; refused, not submitted) and set to 3 (valid)
            "draw tessdyn", "draw tessdynset", "draw tessdynok",
            // extended dynamic state 3's polygon, line rasterization and provoking vertex modes set past their enums
            // (lavapipe survives it; the command buffer is not submitted)
            "draw enumdyn3");
    /** Recordings whose command buffer must not be submitted (one round, "1 submits refused"). */
    static final List<String> REFUSED_RECORDINGS = List.of("xfb counter", "xfb binding", "xfb stream",
            "xfb condrender", "xfb endonly", "xfb bindcap", "draw samples3", "draw enumdyn3", "draw cwedyn",
            "draw tessdynset",
            // extended dynamic state 3's blend and sample states and 2's logic op (session 15): blend enables for
            // 100 attachments of 8 (killed lavapipe), for attachments 7-8 and a write mask for attachment 1000
            // (written past lavapipe's array unseen), blend factors and ops, a logic op, rasterization samples, a
            // sample mask's sample count and a tessellation domain origin past their enums (lavapipe survives those)
            "draw blend3count", "draw blend3first", "draw mask3first", "draw blend3enum", "draw logicop3",
            "draw ms3samples", "draw ms3mask", "draw origin3",
            // VK_EXT_vertex_input_dynamic_state (session 15): binding 100, an attribute of binding 100 (each killed
            // lavapipe), location 100 (aborted it), 100 bindings (written past its array unseen), a stride and an
            // offset of 2^30 (lavapipe survives those two; past maxVertexInputBindingStride and
            // maxVertexInputAttributeOffset)
            "draw vinbinding", "draw vinattrbinding", "draw vinloc", "draw vincount", "draw vinstride",
            "draw vinoffset",
            // a primitives generated query (VK_EXT_primitives_generated_query, session 15) of vertex stream 100 of 4
            // (lavapipe survives it, as it does a transform feedback stream query's: xfb stream)
            "xfb genstream",
            // VK_KHR_push_descriptor (session 16): a push running past the set's bindings, into a set whose layout
            // is not a push descriptor layout and into set 5 of a layout of one (each killed lavapipe directly)
            "push range", "push notpush", "push setpast",
            // objects destroyed after the recording that names them, before the submit (each killed lavapipe's queue
            // thread directly, and the server through Venus before session 16): a copy's source buffer and its
            // memory once the command buffer has ended, a pushed image view and sampler before and after the end
            "recdestroy copy", "push stale", "push staleend");
    /**
     * Recordings that must be submitted ("0 submits refused"): a valid capture, a dynamic patch control point count
     * in range, the blend and sample states of extended dynamic state 3 set in range or never set, rasterization
     * samples the attachment does not have or the device does not support (the client's error; lavapipe survives
     * both), pipelines leaving their blend attachments or multisample state to those dynamic states (NULL), and the
     * dynamic vertex input below.
     */
    static final List<String> SUBMITTED_RECORDINGS = List.of("xfb capture", "draw tessdynok", "draw blend3ok",
            "draw blend3unset", "draw ms3ok", "draw ms3unset", "draw ms3mismatch", "draw ms3unsup",
            "draw blend3null", "draw ms3null",
            // a dynamic vertex input in range, with the pipeline's vertex input state NULL, never set, and with a
            // format that is none (lavapipe survives the last two)
            "draw vinok", "draw vinnull", "draw vinunset", "draw vinformat",
            // VK_EXT_multi_draw (session 15): two draws, and two draws without their array (each killed lavapipe
            // directly; the draw is dropped, the rest submitted), plain and indexed
            "draw multiok", "draw multinull", "draw multiidxok", "draw multiidxnull",
            // VK_KHR_push_descriptor (session 16): a valid push, and pushes leaving the shader's sampled images
            // unwritten, alone and after a set of another layout was bound at that number (both killed lavapipe
            // directly; the server writes its placeholders first, see DescriptorFiller#push)
            "push ok", "push unset", "push foreign",
            // add.comp's storage buffers (4 MiB apart in one host-visible buffer, so that the free reaches the
            // server) destroyed with their memory after the command buffer ended, or after the set was written and
            // before the recording: each killed lavapipe directly (session 17); the server lives
            "recdestroy desc", "recdestroy descfirst");

    /**
     * Modes refused at an object's creation: Mesa's Venus ICD creates asynchronously, so the client goes on with an
     * object the server never made, its next command naming it is a protocol error, and Mesa aborts the client on the
     * ring's fatal status. The context ends; the server does not.
     */
    static final List<List<String>> REFUSED_CREATES = List.of(List.of("view"), List.of("framebuffer"),
            List.of("pipeline", "1", "vbinding"), List.of("pipeline", "1", "vattr"), List.of("pipeline", "1", "viewports"),
            List.of("pipeline", "1", "blend"), List.of("pipeline", "1", "rendering"), List.of("pipeline", "1", "subpass"),
            List.of("pipeline", "1", "rpref"), List.of("pipeline", "1", "fbcount"), List.of("spirv", "1", "146"),
            List.of("spirv", "1", "344"), List.of("spirv", "1", "693"),
            // a pipeline whose storage buffer the layout makes a storage image; specialization past the workgroup
            // size (SIGFPE in lavapipe), workgroup memory and private memory (lavapipe allocated until killed)
            List.of("desctype"), List.of("spec", "1", "size"), List.of("spec", "1", "shared"),
            List.of("spec", "1", "local"),
            // graphics pipelines past the tessellation and geometry limits: a control shader's OutputVertices of
            // 2^24 (SIGSEGV in lavapipe's draw), 2^20 points per patch, a patch list without tessellation stages
            // (each SIGFPE in lavapipe's draw), a geometry shader's OutputVertices and Invocations of 2^24 (lavapipe
            // survives those two)
            List.of("draw", "1", "tessout"), List.of("draw", "1", "tesspatch"),
            List.of("draw", "1", "patchlist"), List.of("draw", "1", "geom"), List.of("draw", "1", "geominv"),
            // an image view whose component swizzles are past VkComponentSwizzle (killed lavapipe), a storage view
            // of 16-byte texels on an image of 4-byte ones made without MUTABLE_FORMAT (a store past its end killed
            // lavapipe)
            List.of("sampler", "1", "swizzle"), List.of("storefmt"),
            // a framebuffer of a one-layer view for a pass rendering views 0-7 (killed lavapipe)
            List.of("imgsamples", "1", "1", "multiview"),
            // graphics pipelines without multisample or rasterization state (each killed lavapipe and the server's
            // JVM in vkCreateGraphicsPipelines; session 13)
            List.of("pipeline", "1", "noms"), List.of("pipeline", "1", "nors"),
            // tessellation stages without tessellation state: refused as 0 control points per patch; a subpass
            // with an input attachment and no reference array (killed lavapipe directly; the decoder refuses it)
            List.of("pipeline", "1", "tessnull"), List.of("pipeline", "1", "inputnull"),
            // one colour blend attachment and no array of them (killed lavapipe and the launcher)
            List.of("pipeline", "1", "blendnull"),
            // a line rasterization mode past its enum, stippled lines with a static factor of 0, rasterization
            // stream 100 (lavapipe survives these three; session 14)
            List.of("pipeline", "1", "linemode"), List.of("pipeline", "1", "stipple"),
            List.of("pipeline", "1", "rstream"),
            // 100 colour write enables for one blend attachment (refused at creation), and one enable without its
            // array (the decoder refuses it; killed lavapipe directly)
            List.of("pipeline", "1", "cwecount"), List.of("pipeline", "1", "cwenull"),
            // a geometry shader emitting to vertex stream 100 of 4 (spirv-val accepts it, lavapipe survives it;
            // refused since session 15: VUID-RuntimeSpirv-OpEmitStreamVertex-06310)
            List.of("draw", "1", "geomstream"),
            // a push descriptor layout of 64 descriptors, past maxPushDescriptors (lavapipe makes it)
            List.of("push", "1", "big"));

    @Test
    void outOfRangeImageAndQueryCommandsAreRefusedAndTheServerLives() throws Exception {
        Path client = E2eClients.client("vkhostile");
        try (InProcessVtest server = new InProcessVtest(tmp.resolve("vtest.sock"))) {
            for (String modeAndVariant : REFUSED_COMMANDS) {
                String[] m = modeAndVariant.split(" ");
                String mode = m[0];
                List<String> command = new ArrayList<>(List.of(client.toString(), mode, "2"));
                command.addAll(Arrays.asList(m).subList(1, m.length));
                VenusClient.Result r = VenusClient.run(server.socket, tmp, 120, command.toArray(String[]::new));
                assertEquals(0, r.exit(), mode + ": " + r.output());
                assertTrue(r.output().contains("result PASS (" + mode), mode + ": " + r.output());
            }
            VenusClient.Result renderArea = VenusClient.run(server.socket, tmp, 120, client.toString(), "renderarea",
                    "1");
            assertTrue(renderArea.output().contains("1 submits refused"), "a command buffer whose render pass begin "
                    + "was refused is not submitted: " + renderArea.output());
            VenusClient.Result dynamic = VenusClient.run(server.socket, tmp, 120, client.toString(), "dynoffset", "1");
            assertTrue(dynamic.output().contains("1 submits refused"), "nor one whose descriptor set bind was: "
                    + dynamic.output());
            // one round each, three clients at a time (each spends most of its time in its own start-up)
            ExecutorService recordings = Executors.newFixedThreadPool(3);
            try {
                List<String> variants = new ArrayList<>(REFUSED_RECORDINGS);
                variants.addAll(SUBMITTED_RECORDINGS);
                List<Future<VenusClient.Result>> results = new ArrayList<>();
                for (String variant : variants) {
                    results.add(recordings.submit(() -> VenusClient.run(server.socket, tmp, 120, client.toString(),
                            variant.split(" ")[0], "1", variant.split(" ")[1])));
                }
                for (int i = 0; i < variants.size(); i++) {
                    String out = results.get(i).get().output();
                    boolean refused = i < REFUSED_RECORDINGS.size();
                    assertTrue(out.contains("result PASS") && out.contains(refused ? "1 submits refused"
                            : "0 submits refused"), (refused ? "nor one whose transform feedback, conditional "
                                    + "rendering or dynamic state command was refused (" : "submitted (")
                                    + variants.get(i) + "): " + out);
                }
            } finally {
                recordings.shutdownNow();
            }
            // these clients spend about 4 s each in Mesa's wait before it aborts them: run them side by side, within
            // the test server's 16 clients (maxClients) with room for as many aborted ones whose connections are
            // still being torn down (12 at a time once met the limit: a client was refused, "lost connection")
            ExecutorService pool = Executors.newFixedThreadPool(Math.min(REFUSED_CREATES.size(), 6));
            try {
                List<Future<VenusClient.Result>> results = new ArrayList<>();
                for (List<String> args : REFUSED_CREATES) {
                    List<String> command = new ArrayList<>(List.of(client.toString()));
                    command.addAll(args);
                    if (args.size() == 1) {
                        command.add("1");
                    }
                    results.add(pool.submit(() -> VenusClient.run(server.socket, tmp, 120,
                            command.toArray(String[]::new))));
                }
                for (int i = 0; i < results.size(); i++) {
                    VenusClient.Result r = results.get(i).get();
                    assertTrue(r.output().contains("fatal") || r.output().contains("result PASS"),
                            REFUSED_CREATES.get(i) + ": " + r.output());
                }
            } finally {
                pool.shutdownNow();
            }
            VenusClient.Result after = VenusClient.run(server.socket, tmp, 120, client.toString(), "none", "1");
            assertEquals(0, after.exit(), after.output());
            assertTrue(after.output().contains("result PASS (none"), after.output());
            server.awaitNoSessions(10_000_000_000L);
            assertEquals(List.of(), server.device.sessions(), "every client's session ended");
        }
    }
}
