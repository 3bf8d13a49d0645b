# The native backend. ISA-specific GEMM kernels are separate static libraries so each gets
# its own -m flags (the rest of the addon stays portable: no -march=native); the addon picks
# one at runtime with __builtin_cpu_supports. No -ffast-math: NaN semantics matter, and
# -ffp-contract=off keeps elementwise results identical to separate multiply and add.
{
  'target_defaults': {
    'cflags': ['-O3', '-fno-math-errno', '-fno-trapping-math', '-fPIC', '-pthread'],
    'cflags_cc': ['-std=c++17'],
    'cflags!': ['-O2', '-Os'],
    'cflags_cc!': ['-std=gnu++17', '-std=gnu++1y'],
    'ldflags': ['-pthread'],
    'xcode_settings': {
      'OTHER_CFLAGS': ['-O3', '-fno-math-errno', '-fno-trapping-math', '-std=c++17'],
      'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
    },
    'conditions': [
      ['target_arch=="x64"', {'defines': ['TC_HAVE_X86_KERNELS']}],
    ],
  },
  'targets': [
    {
      'target_name': 'tradecraft',
      'sources': [
        'native/addon.cc',
        'native/channel.cc',
        'native/conv.cc',
        'native/conv_direct.cc',
        'native/conv_direct_generic.cc',
        'native/conv_pack.cc',
        'native/cpu.cc',
        'native/cpu_info.cc',
        'native/elementwise.cc',
        'native/gemm.cc',
        'native/gemm_tuning.cc',
        'native/gemm_generic.cc',
        'native/indexing.cc',
        'native/malloc_tuning.cc',
        'native/optim.cc',
        'native/peak.cc',
        'native/pool.cc',
        'native/reduce.cc',
        'native/simd.cc',
        'native/simd_kernels.cc',
        'native/softmax.cc',
        'native/threadpool.cc',
      ],
      'cflags': ['-ffp-contract=off'],
      'conditions': [
        ['target_arch=="x64"', {'dependencies': [
          'tradecraft_avx2', 'tradecraft_avx512', 'tradecraft_simd_avx2', 'tradecraft_simd_avx512',
        ]}],
      ],
    },
  ],
  'conditions': [
    ['target_arch=="x64"', {
      'targets': [
        {
          'target_name': 'tradecraft_avx2',
          'type': 'static_library',
          'sources': ['native/gemm_avx2.cc', 'native/gemm_avx2_6x16.cc', 'native/peak_avx2.cc', 'native/conv_direct_avx2.cc'],
          'cflags': ['-mavx2', '-mfma', '-ffp-contract=fast'],
          'xcode_settings': {'OTHER_CFLAGS': ['-mavx2', '-mfma']},
        },
        {
          'target_name': 'tradecraft_avx512',
          'type': 'static_library',
          'sources': ['native/gemm_avx512.cc', 'native/peak_avx512.cc'],
          'cflags': ['-mavx512f', '-mavx512bw', '-mavx512dq', '-mavx512vl', '-mfma', '-ffp-contract=fast', '-Wno-maybe-uninitialized'],
          'xcode_settings': {'OTHER_CFLAGS': ['-mavx512f', '-mavx512bw', '-mavx512dq', '-mavx512vl', '-mfma']},
        },
        # The elementwise/optimizer loops once more per instruction set (no FMA contraction).
        {
          'target_name': 'tradecraft_simd_avx2',
          'type': 'static_library',
          'sources': ['native/simd_kernels.cc'],
          'defines': ['TC_SIMD_VARIANT=avx2'],
          'cflags': ['-mavx2', '-ffp-contract=off'],
          'xcode_settings': {'OTHER_CFLAGS': ['-mavx2', '-ffp-contract=off']},
        },
        {
          'target_name': 'tradecraft_simd_avx512',
          'type': 'static_library',
          'sources': ['native/simd_kernels.cc'],
          'defines': ['TC_SIMD_VARIANT=avx512'],
          'cflags': ['-mavx512f', '-mavx512bw', '-mavx512dq', '-mavx512vl', '-ffp-contract=off',
                     '-mprefer-vector-width=512'],
          'xcode_settings': {'OTHER_CFLAGS': ['-mavx512f', '-mavx512bw', '-mavx512dq', '-mavx512vl', '-ffp-contract=off']},
        },
      ],
    }],
  ],
}
