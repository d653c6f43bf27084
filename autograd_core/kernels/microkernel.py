"""A register-tiled matmul microkernel, written in LLVM IR through Numba's ``@intrinsic``.

Numba's loop nests leave much of a core's speed unused on a matmul: LLVM keeps the
output in memory, because it cannot prove that the output and the inputs do not overlap. This
module states what a BLAS microkernel does, in vectors: a block of the output, ``ROWS``
rows by two SIMD vectors (16 float32 or 8 float64 columns with AVX2), stays in
registers while the kernel runs down ``K``, adding one row of ``B`` times one broadcast
element of ``A`` per row with fused multiply-adds. Each step loads two vectors of ``B``
and ``ROWS`` scalars of ``A`` for ``2 * ROWS`` FMAs, and no packing is needed while a
panel of ``B`` fits in the L1 cache, which is what makes it win on small matrices.

``ROWS`` is 4, the fastest of the row counts tried (``benchmarks/README.md``).

:func:`bmm_range` drives the tile over full blocks of a batch range and finishes the
edge rows and columns with a plain loop nest. Importing this module imports Numba, so
``matmul.py`` imports it only when the Numba path first runs.

>>> import numpy as np
>>> a = np.arange(24, dtype=np.float32).reshape(1, 4, 6)
>>> b = np.ones((1, 6, 17), np.float32)
>>> out = np.empty((1, 4, 17), np.float32)
>>> bmm_range(a, b, out, 0, 1)
>>> bool(np.array_equal(out, a @ b))
True
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from .jit import lazy_inline, lazy_njit
from .shapes import TILE_BYTES, TILE_ROWS as ROWS, WIDE_TILE_BYTES

_VECTOR_BYTES = TILE_BYTES // 2  # AVX2; LLVM splits or merges the vectors for other targets


def _vector_type(element: ir.Type, vector_bytes: int = _VECTOR_BYTES) -> ir.VectorType:
    return ir.VectorType(element, vector_bytes // (4 if isinstance(element, ir.FloatType) else 8))


def _fma(builder: ir.IRBuilder, vty: ir.VectorType) -> ir.Function:
    """Declare ``llvm.fma.v8f32`` (or ``.v4f64``) in the module being built."""
    name = f"llvm.fma.v{vty.count}{'f32' if isinstance(vty.element, ir.FloatType) else 'f64'}"
    existing = builder.module.globals.get(name)
    return existing or ir.Function(builder.module, ir.FunctionType(vty, [vty] * 3), name)


def _tile_intrinsic(accumulate: bool, vector_bytes: int = _VECTOR_BYTES):
    """The tile as an ``@intrinsic``: ``C = A @ B`` on the tile, or with ``accumulate``
    ``C += A @ B`` (the tile of ``C`` is loaded first, as BLAS's ``beta = 1``); two
    vectors of ``vector_bytes`` per row."""

    def codegen(context, builder, sig, args):
        arrays = [context.make_array(t)(context, builder, v).data
                  for t, v in zip(sig.args[:3], args[:3])]
        a_off, b_off, c_off, k, lda, ldb, ldc = args[3:]
        A, B, C = (builder.gep(p, [off]) for p, off in zip(arrays, (a_off, b_off, c_off)))
        vty = _vector_type(A.type.pointee, vector_bytes)
        fma = _fma(builder, vty)
        idx = k.type
        const = lambda v: ir.Constant(idx, v)                              # noqa: E731
        zero = ir.Constant(vty, None)
        splat_mask = ir.Constant(ir.VectorType(ir.IntType(32), vty.count), [0] * vty.count)
        undef = ir.Constant(vty, ir.Undefined)

        def vector_at(base, offset):
            return builder.bitcast(builder.gep(base, [offset]), vty.as_pointer())

        if accumulate:
            init = [[builder.load(vector_at(builder.gep(C, [builder.mul(const(r), ldc)]),
                                            const(v * vty.count)), align=4)
                     for v in range(2)] for r in range(ROWS)]
        else:
            init = [[zero, zero] for _ in range(ROWS)]
        entry = builder.block
        loop = builder.append_basic_block("tile_k")
        done = builder.append_basic_block("tile_done")
        builder.cbranch(builder.icmp_signed(">", k, const(0)), loop, done)

        # loop over k: acc[r][v] += A[r, k] * B[k, v-th vector]
        builder.position_at_end(loop)
        kk = builder.phi(idx)
        acc = [[builder.phi(vty) for _ in range(2)] for _ in range(ROWS)]
        b_row = builder.gep(B, [builder.mul(kk, ldb)])
        b_vecs = [builder.load(vector_at(b_row, const(v * vty.count)), align=4) for v in range(2)]
        new = []
        for r in range(ROWS):
            a_rk = builder.load(builder.gep(A, [builder.add(builder.mul(const(r), lda), kk)]))
            a_vec = builder.shuffle_vector(
                builder.insert_element(undef, a_rk, ir.Constant(ir.IntType(32), 0)), undef, splat_mask)
            new.append([builder.call(fma, [a_vec, b_vecs[v], acc[r][v]]) for v in range(2)])
        k_next = builder.add(kk, const(1))
        kk.add_incoming(const(0), entry)
        kk.add_incoming(k_next, loop)
        for r in range(ROWS):
            for v in range(2):
                acc[r][v].add_incoming(init[r][v], entry)
                acc[r][v].add_incoming(new[r][v], loop)
        builder.cbranch(builder.icmp_signed("<", k_next, k), loop, done)

        # store the tile (its initial value when k == 0)
        builder.position_at_end(done)
        results = []
        for r in range(ROWS):
            row = []
            for v in range(2):
                phi = builder.phi(vty)
                phi.add_incoming(init[r][v], entry)
                phi.add_incoming(new[r][v], loop)
                row.append(phi)
            results.append(row)
        for r in range(ROWS):
            c_row = builder.gep(C, [builder.mul(const(r), ldc)])
            for v in range(2):
                builder.store(results[r][v], vector_at(c_row, const(v * vty.count)), align=4)
        return context.get_dummy_value()

    def tile(typingctx, a, b, c, a_off, b_off, c_off, k, lda, ldb, ldc):
        if not all(isinstance(t, types.Array) for t in (a, b, c)) or \
                not (a.dtype == b.dtype == c.dtype) or a.dtype not in (types.float32,
                                                                       types.float64):
            return None
        return types.void(a, b, c, a_off, b_off, c_off, k, lda, ldb, ldc), codegen

    tile.__name__ = tile.__qualname__ = (("fma_tile_add" if accumulate else "fma_tile")
                                         + ("" if vector_bytes == _VECTOR_BYTES else "_wide"))
    return intrinsic(tile)


fma_tile = _tile_intrinsic(False)
fma_tile.__doc__ = """``C[c_off:][:ROWS, :W] = A[a_off:][:ROWS, :k] @ B[b_off:][:k, :W]`` on flat
arrays, with leading dimensions ``lda``, ``ldb``, ``ldc`` and ``W`` = 64 bytes of elements."""
fma_tile_add = _tile_intrinsic(True)   # ``C[...] += A[...] @ B[...]``, same arguments
# The tile two AVX-512 vectors wide (WIDE_TILE_BYTES: 32 float32 or 16 float64 columns), for
# the packed products (panels_matmul) on a CPU with AVX-512 (``wide_tiles``): eight 512-bit
# accumulators where the AVX2 tile has eight 256-bit ones.
fma_tile_wide = _tile_intrinsic(False, WIDE_TILE_BYTES // 2)
fma_tile_wide_add = _tile_intrinsic(True, WIDE_TILE_BYTES // 2)


def wide_tiles() -> bool:
    """True when the host CPU has AVX-512 (elsewhere LLVM splits a 512-bit vector into two
    256-bit ones, and the wide tile's sixteen of them no longer fit the registers)."""
    return VECTOR_BYTES == 64



@lazy_njit(nogil=True)
def bmm_range(a, b, out, b0, b1):
    """``out[i] = a[i] @ b[i]`` for ``i`` in ``range(b0, b1)``; C-contiguous 3-D arrays
    of one float dtype. Full ROWS x W tiles go to :func:`fma_tile`, the edges to a loop."""
    m, kk = a.shape[1], a.shape[2]
    n = b.shape[2]
    width = TILE_BYTES // a.itemsize
    m_full = m - m % ROWS
    n_full = n - n % width
    af, bf, of = a.reshape(-1), b.reshape(-1), out.reshape(-1)
    for bi in range(b0, b1):
        a0, b0_, o0 = bi * m * kk, bi * kk * n, bi * m * n
        for i in range(0, m_full, ROWS):
            for j in range(0, n_full, width):
                fma_tile(af, bf, of, a0 + i * kk, b0_ + j, o0 + i * n + j, kk, kk, n, n)
        for i in range(m):
            j0 = n_full if i < m_full else 0   # the right edge, then whole bottom rows
            for j in range(j0, n):
                out[bi, i, j] = 0
            for k in range(kk):
                aik = a[bi, i, k]
                for j in range(j0, n):
                    out[bi, i, j] += aik * b[bi, k, j]


# --------------------------------------------------------------------------- strided GEMM
# The convolution kernels' GEMMs: one register tile per call of ``gemm_tile_*``, a block of
# MR rows by NV vectors of the output kept in registers while the tile runs down K. The
# vectors are as wide as the target's widest (64 bytes with AVX-512, else 32), and the
# tile family is chosen so that the accumulators fill most of the vector registers (32
# with AVX-512, 16 with AVX2) and leave room for the NV vectors of B and one broadcast.

def vector_bytes() -> int:
    """Bytes of the widest vector Numba compiles for: 64 when its target has AVX-512F."""
    from numba.core import config
    features = config.CPU_FEATURES
    if features is None:
        if config.CPU_NAME not in (None, "host"):
            return 32
        import llvmlite.binding as llvm
        return 64 if llvm.get_host_cpu_features().get("avx512f") else 32
    return 64 if "+avx512f" in features.split(",") else 32


VECTOR_BYTES = vector_bytes()
# (MR, NV) of each tile; every one holds MR * NV accumulators. With AVX-512, 8x3, 6x4 and
# 12x2 run alike (210-245 GFLOP/s float32 for 144 rows over a depth of 32768), while 24x1
# runs at a third of that (70), slower on 16 columns than 12x2 on 32: the last tile is
# 12x2, which serves 32 columns (a conv's 32 output channels) without padding to 48.
GEMM_TILES = ((8, 3), (6, 4), (12, 2)) if VECTOR_BYTES == 64 else ((4, 3), (6, 2), (12, 1))
# What a tile's padded output counts for when a caller picks the tile that pads least
# (``conv._tile``): the 12x2 tile a quarter more (it was slower, 84-109 GFLOP/s, on
# weight gradients with hundreds of columns), the AVX2 one-vector tile half more.
GEMM_TILE_COST = (2.0, 2.0, 2.5) if VECTOR_BYTES == 64 else (2.0, 2.0, 3.0)


def _gemm_tile(mr: int, nv: int, gather: str = "", b_shift: bool = False):
    """The intrinsic ``tile(a, b, c, a_off, b_off, c_off, k, lda, aks, ldb, ldc, accumulate)``:

        C[r, j] (+)= sum over t < k of A[r, t] * B[t, j],   r < mr, j < nv * lanes

    on flat arrays, with A[r, t] at ``a_off + r*lda + t*aks``, B[t, j] at ``b_off + t*ldb + j``
    and C[r, j] at ``c_off + r*ldc + j``; C is added to when ``accumulate`` is non-zero.

    With ``gather`` the rows of B (``"b"``) or of A (``"a"``) lie anywhere, at starts read
    from an int64 table ``rows``: ``tile(a, b, c, rows, a_off, b_off, c_off, k, lda, aks,
    r0, ldc, accumulate)`` reads B[t, j] at ``b_off + rows[r0 + t] + j``, and ``tile(a, b,
    c, rows, a_off, b_off, c_off, k, r0, aks, ldb, ldc, accumulate)`` A[r, t] at ``a_off +
    rows[r0 + r] + t*aks``. A convolution so reads its input's phase planes where they lie
    instead of copying them into im2col columns.

    With ``b_shift`` each vector of B comes from a row further up: B[t, v*W + u] (W the
    vector's lanes) is read at ``b_off + (t - v)*ldb + u``, so that one narrow matrix
    (W columns) serves as NV column blocks moved down 0 .. NV-1 rows (a filters' gradient
    by column taps, ``conv._shifted_backward_weight``)."""

    def typed(a, b, c, rest):
        """``(signature, codegen)``, or None for operands the tile does not take."""
        if not all(isinstance(t, types.Array) for t in (a, b, c)) or \
                not (a.dtype == b.dtype == c.dtype) or a.dtype not in (types.float32, types.float64):
            return None
        if gather and not (isinstance(rest[0], types.Array) and rest[0].dtype == types.int64):
            return None
        return types.void(a, b, c, *rest), codegen

    def codegen(context, builder, sig, args):
        arrays = [context.make_array(t)(context, builder, v).data
                  for t, v in zip(sig.args[:3], args[:3])]
        if gather:
            rows_ptr = context.make_array(sig.args[3])(context, builder, args[3]).data
            args = args[:3] + args[4:]

        def row_start(first, offset):
            """rows[first + offset]: where a row of the gathered operand starts."""
            return builder.load(builder.gep(rows_ptr, [builder.add(first, offset)]))
        a_off, b_off, c_off, k, lda, aks, ldb, ldc, acc_flag = args[3:]
        A, B, C = (builder.gep(p, [off]) for p, off in zip(arrays, (a_off, b_off, c_off)))
        element = A.type.pointee
        lanes = VECTOR_BYTES // (4 if isinstance(element, ir.FloatType) else 8)
        vty = ir.VectorType(element, lanes)
        name = f"llvm.fma.v{lanes}{'f32' if isinstance(element, ir.FloatType) else 'f64'}"
        fma = builder.module.globals.get(name) or \
            ir.Function(builder.module, ir.FunctionType(vty, [vty] * 3), name)
        idx = k.type
        const = lambda v: ir.Constant(idx, v)                              # noqa: E731
        zero = ir.Constant(vty, None)
        undef = ir.Constant(vty, ir.Undefined)
        splat_mask = ir.Constant(ir.VectorType(ir.IntType(32), lanes), [0] * lanes)
        if gather == "a":   # lda is the first entry of the row table
            a_rows = [builder.gep(A, [row_start(lda, const(r))]) for r in range(mr)]
        else:
            a_rows = [builder.gep(A, [builder.mul(const(r), lda)]) for r in range(mr)]

        def vector_at(base, offset):
            return builder.bitcast(builder.gep(base, [offset]), vty.as_pointer())

        entry = builder.block
        loop = builder.append_basic_block("gemm_k")
        done = builder.append_basic_block("gemm_done")
        builder.cbranch(builder.icmp_signed(">", k, const(0)), loop, done)

        builder.position_at_end(loop)
        kk = builder.phi(idx)
        acc = [[builder.phi(vty) for _ in range(nv)] for _ in range(mr)]
        if gather == "b":   # ldb is the first entry of the row table
            b_row = builder.gep(B, [row_start(ldb, kk)])
        else:
            b_row = builder.gep(B, [builder.mul(kk, ldb)])
        b_vecs = [builder.load(vector_at(b_row, builder.mul(const(-v), ldb) if b_shift
                                         else const(v * lanes)), align=4) for v in range(nv)]
        a_col = builder.mul(kk, aks)
        new = []
        for r in range(mr):
            a_rk = builder.load(builder.gep(a_rows[r], [a_col]))
            a_vec = builder.shuffle_vector(
                builder.insert_element(undef, a_rk, ir.Constant(ir.IntType(32), 0)), undef,
                splat_mask)
            new.append([builder.call(fma, [a_vec, b_vecs[v], acc[r][v]]) for v in range(nv)])
        k_next = builder.add(kk, const(1))
        kk.add_incoming(const(0), entry)
        kk.add_incoming(k_next, loop)
        for r in range(mr):
            for v in range(nv):
                acc[r][v].add_incoming(zero, entry)
                acc[r][v].add_incoming(new[r][v], loop)
        builder.cbranch(builder.icmp_signed("<", k_next, k), loop, done)

        builder.position_at_end(done)
        results = []
        for r in range(mr):
            row = []
            for v in range(nv):
                phi = builder.phi(vty)
                phi.add_incoming(zero, entry)
                phi.add_incoming(new[r][v], loop)
                row.append(phi)
            results.append(row)
        add_block = builder.append_basic_block("gemm_add")
        store_block = builder.append_basic_block("gemm_store")
        end = builder.append_basic_block("gemm_end")
        builder.cbranch(builder.icmp_signed("!=", acc_flag, ir.Constant(acc_flag.type, 0)),
                        add_block, store_block)
        for block, add in ((add_block, True), (store_block, False)):
            builder.position_at_end(block)
            for r in range(mr):
                c_row = builder.gep(C, [builder.mul(const(r), ldc)])
                for v in range(nv):
                    ptr = vector_at(c_row, const(v * lanes))
                    value = results[r][v]
                    if add:
                        value = builder.fadd(builder.load(ptr, align=4), value)
                    builder.store(value, ptr, align=4)
            builder.branch(end)
        builder.position_at_end(end)
        return context.get_dummy_value()

    if gather:
        @intrinsic
        def tile(typingctx, a, b, c, rows, a_off, b_off, c_off, k, lda, aks, ldb, ldc, accumulate):
            return typed(a, b, c, (rows, a_off, b_off, c_off, k, lda, aks, ldb, ldc, accumulate))
    else:
        @intrinsic
        def tile(typingctx, a, b, c, a_off, b_off, c_off, k, lda, aks, ldb, ldc, accumulate):
            return typed(a, b, c, (a_off, b_off, c_off, k, lda, aks, ldb, ldc, accumulate))
    return tile


gemm_tile_0 = _gemm_tile(*GEMM_TILES[0])
gemm_tile_1 = _gemm_tile(*GEMM_TILES[1])
gemm_tile_2 = _gemm_tile(*GEMM_TILES[2])
gather_tile_0 = _gemm_tile(*GEMM_TILES[0], gather="b")
gather_tile_1 = _gemm_tile(*GEMM_TILES[1], gather="b")
gather_tile_2 = _gemm_tile(*GEMM_TILES[2], gather="b")
gather_a_tile_0 = _gemm_tile(*GEMM_TILES[0], gather="a")
gather_a_tile_1 = _gemm_tile(*GEMM_TILES[1], gather="a")
gather_a_tile_2 = _gemm_tile(*GEMM_TILES[2], gather="a")
shift_a_tile_0 = _gemm_tile(*GEMM_TILES[0], gather="a", b_shift=True)
shift_a_tile_1 = _gemm_tile(*GEMM_TILES[1], gather="a", b_shift=True)
shift_a_tile_2 = _gemm_tile(*GEMM_TILES[2], gather="a", b_shift=True)


# Cache blocking of :func:`gemm`: a panel of B (KC rows by one tile's columns) stays in
# cache while every row panel of A runs over it; a block of A (MC rows by KC) stays in L2
# while it meets every panel of B. With AVX-512, KC is set deep (512 rows for an 8x3
# float32 tile: the panel is read from L2, which keeps up with a tile's three loads per
# step), because each KC block reads and writes every tile of C once. With AVX2 (a 32 KB
# L1 on the hosts measured) the panel is copied into a contiguous buffer (packed) when at
# least GEMM_PACK_TILES row tiles share it, and KC is 384 rows for a 4x3 float32 tile:
# read in place, a panel's rows lie ``ldb`` apart, and at the power-of-two strides of most
# networks they crowd a few sets of the L1 and L2 caches (``benchmarks/README.md``).
GEMM_L1_BYTES = 96 * 1024 if VECTOR_BYTES == 64 else 36 * 1024
GEMM_L2_BYTES = 384 * 1024
GEMM_PACK_TILES = 0 if VECTOR_BYTES == 64 else 24     # 0: never packed


@lazy_inline
def _blocking(tile, itemsize, kc, mc):
    """``(MR, NR, KC, MC)`` of ``GEMM_TILES[tile]`` for elements of ``itemsize`` bytes: the
    tile's rows and columns, and the cache blocks (above), ``kc``/``mc`` when positive."""
    mr = GEMM_TILES[tile][0] if tile < 2 else GEMM_TILES[2][0]
    nr = (GEMM_TILES[tile][1] if tile < 2 else GEMM_TILES[2][1]) * (VECTOR_BYTES // itemsize)
    if kc <= 0:
        kc = max(16, GEMM_L1_BYTES // (nr * itemsize))
    if mc <= 0:
        mc = max(mr, GEMM_L2_BYTES // (kc * itemsize) // mr * mr)
    return mr, nr, kc, max(mr, mc // mr * mr)


@lazy_njit(nogil=True)
def gemm(a, b, c, m, n, k, a_off, lda, aks, b_off, ldb, c_off, ldc, accumulate, tile,
         groups, a_group, b_group, c_group, kc=0, mc=0):
    """For each group g < ``groups``: C_g (+)= A_g @ B_g, an (m, n) product over k, on flat
    arrays with the strides of :func:`_gemm_tile` and group g's operands ``g * a_group``
    (``b_group``, ``c_group``) further on. ``tile`` indexes ``GEMM_TILES``; m and n must be
    multiples of its MR and of NV vectors. Blocked over k (KC) and m (MC); within a block
    the loops run over column panels of B, then the row panels of A, so that one panel of
    B serves every row panel of the block, packed where ``GEMM_PACK_TILES`` says."""
    mr, nr, kc, mc = _blocking(tile, a.itemsize, kc, mc)
    panel = np.empty(min(kc, k) * nr if GEMM_PACK_TILES else 0, b.dtype)
    for g in range(groups):
        for k0 in range(0, k, kc):
            kb = min(kc, k - k0)
            acc = accumulate if k0 == 0 else 1
            for i0 in range(0, m, mc):
                i1 = min(m, i0 + mc)
                ag = a_off + g * a_group + k0 * aks
                bg = b_off + g * b_group + k0 * ldb
                cg = c_off + g * c_group
                packed = 0 < GEMM_PACK_TILES * mr <= i1 - i0 and ldb != nr
                for j in range(0, n, nr):
                    src, bo, ldp = b, bg + j, ldb
                    if packed:
                        for t in range(kb):
                            row = bo + t * ldb
                            dst = panel[t * nr:(t + 1) * nr]
                            srow = b[row:row + nr]
                            for u in range(nr):
                                dst[u] = srow[u]
                        src, bo, ldp = panel, 0, nr
                    for i in range(i0, i1, mr):
                        ao, co = ag + i * lda, cg + i * ldc + j
                        if tile == 0:
                            gemm_tile_0(a, src, c, ao, bo, co, kb, lda, aks, ldp, ldc, acc)
                        elif tile == 1:
                            gemm_tile_1(a, src, c, ao, bo, co, kb, lda, aks, ldp, ldc, acc)
                        else:
                            gemm_tile_2(a, src, c, ao, bo, co, kb, lda, aks, ldp, ldc, acc)


@lazy_njit(nogil=True)
def gemm_gather(a, b, c, rows, m, n, k, lda, b_off, b_step, c_off, c_step, ldc, count,
                tile, groups, a_group, b_group, c_group):
    """For each item i < ``count`` and group g < ``groups``: C (m, n) = A_g @ B_(i, g)
    over k, where row t of B_(i, g) starts at ``b_off + i*b_step + g*b_group + rows[t]`` in
    the flat ``b`` (the ``gather`` tiles of :func:`_gemm_tile`), A_g is row-major with row
    stride ``lda`` from ``g*a_group``, and C starts at ``c_off + i*c_step + g*c_group``
    with row stride ``ldc``. Items run in order, so an item's C may spill into the next
    item's, which overwrites it. Blocked over k and m as :func:`gemm`; ``tile`` indexes
    ``GEMM_TILES``, whose MR and NV vectors m and n must be multiples of."""
    mr, nr, kc, mc = _blocking(tile, a.itemsize, 0, 0)
    for i in range(count):
        for g in range(groups):
            bg = b_off + i * b_step + g * b_group
            cg = c_off + i * c_step + g * c_group
            for k0 in range(0, k, kc):
                kb = min(kc, k - k0)
                acc = 0 if k0 == 0 else 1
                ag = g * a_group + k0
                for i0 in range(0, m, mc):
                    i1 = min(m, i0 + mc)
                    for j in range(0, n, nr):
                        for r in range(i0, i1, mr):
                            ao, bo, co = ag + r * lda, bg + j, cg + r * ldc + j
                            if tile == 0:
                                gather_tile_0(a, b, c, rows, ao, bo, co, kb, lda, 1, k0, ldc, acc)
                            elif tile == 1:
                                gather_tile_1(a, b, c, rows, ao, bo, co, kb, lda, 1, k0, ldc, acc)
                            else:
                                gather_tile_2(a, b, c, rows, ao, bo, co, kb, lda, 1, k0, ldc, acc)


@lazy_njit(nogil=True)
def gemm_gather_a(a, b, c, rows, m, n, k, a_off, a_step, a_group, b_off, b_step, ldb,
                  b_group, ldc, c_group, count, tile, groups, shift):
    """For each group g < ``groups``: C_g (m, n) += the sum over items i < ``count`` of
    A_(i, g) @ B_(i, g) over k, where row r of A_(i, g) starts at ``a_off + i*a_step +
    g*a_group + rows[r]`` in the flat ``a`` (the ``gather="a"`` tiles of :func:`_gemm_tile`),
    B_(i, g) is row-major with row stride ``ldb`` from ``b_off + i*b_step + g*b_group``, and
    C_g from ``g*c_group`` with row stride ``ldc``. Blocked over k and m as :func:`gemm`;
    ``rows`` must hold m entries; m and n multiples of the tile's MR and NV vectors. With
    ``shift`` the tiles read B as ``b_shift`` says (n one tile wide, B one vector wide)."""
    mr, nr, kc, mc = _blocking(tile, a.itemsize, 0, 0)
    for g in range(groups):
        cg = g * c_group
        for i in range(count):
            ai = a_off + i * a_step + g * a_group
            bi = b_off + i * b_step + g * b_group
            for k0 in range(0, k, kc):
                kb = min(kc, k - k0)
                for i0 in range(0, m, mc):
                    i1 = min(m, i0 + mc)
                    for j in range(0, n, nr):
                        for r in range(i0, i1, mr):
                            ao, bo, co = ai + k0, bi + k0 * ldb + j, cg + r * ldc + j
                            if shift:
                                if tile == 0:
                                    shift_a_tile_0(a, b, c, rows, ao, bo, co, kb, r, 1, ldb, ldc, 1)
                                elif tile == 1:
                                    shift_a_tile_1(a, b, c, rows, ao, bo, co, kb, r, 1, ldb, ldc, 1)
                                else:
                                    shift_a_tile_2(a, b, c, rows, ao, bo, co, kb, r, 1, ldb, ldc, 1)
                            elif tile == 0:
                                gather_a_tile_0(a, b, c, rows, ao, bo, co, kb, r, 1, ldb, ldc, 1)
                            elif tile == 1:
                                gather_a_tile_1(a, b, c, rows, ao, bo, co, kb, r, 1, ldb, ldc, 1)
                            else:
                                gather_a_tile_2(a, b, c, rows, ao, bo, co, kb, r, 1, ldb, ldc, 1)


@lazy_njit(nogil=True)
def panels_matmul(a, panels, out, accumulate):
    """``out = a @ B``, or ``out += a @ B`` with ``accumulate``, where ``B`` (K, N) comes as
    ``panels`` (N / W, K, W): its columns in panels one tile wide (``out`` may have more
    columns, which are left as they are), each panel's K rows
    contiguous (``matmul.pack_panels``), so that a panel stays in the L1 cache while every
    block of ROWS rows of ``a`` passes over it. ``a`` (M, K) and ``out`` (M, N) are
    C-contiguous, one float dtype; the last M % ROWS rows take a plain loop. Panels
    ``WIDE_TILE_BYTES`` wide take the wide tile, others the AVX2 one."""
    m, kk = a.shape
    npan, width = panels.shape[0], panels.shape[2]
    n = out.shape[1]   # at least npan * width: columns past the panels are left alone
    m_full = m - m % ROWS
    wide = width * a.itemsize == WIDE_TILE_BYTES
    af, pf, of = a.reshape(-1), panels.reshape(-1), out.reshape(-1)
    for p in range(npan):
        j0 = p * width
        for i in range(0, m_full, ROWS):
            args = (af, pf, of, i * kk, p * kk * width, i * n + j0, kk, kk, width, n)
            if wide:
                if accumulate:
                    fma_tile_wide_add(*args)
                else:
                    fma_tile_wide(*args)
            elif accumulate:
                fma_tile_add(*args)
            else:
                fma_tile(*args)
        for i in range(m_full, m):
            if not accumulate:
                for j in range(width):
                    out[i, j0 + j] = 0
            for k in range(kk):
                aik = a[i, k]
                for j in range(width):
                    out[i, j0 + j] += aik * panels[p, k, j]
