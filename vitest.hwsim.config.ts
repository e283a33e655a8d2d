import { defineConfig } from 'vitest/config';

// The hwsim group (test/hwsim): runs only inside the VM of scripts/hwsim-vm.sh
// (`npm run test:hwsim`), one file at a time, because the files share the
// VM's mac80211_hwsim radios and Node is slow under TCG.
export default defineConfig({
  test: {
    include: ['test/hwsim/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    maxWorkers: 1,
    // One worker imports vitest, the harness and the test files' sources once for the whole group
    // instead of once per file (vitest alone takes 10 s to start under TCG); the files keep no module state.
    isolate: false,
    reporters: ['default'],
  },
});
