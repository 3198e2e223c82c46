// Runs in the page: the browser half of avatar.bench.ts, kept as plain
// JavaScript so that nothing rewrites its dynamic import.
async (rounds) => {
    // The module the page hydrated with: initialised, exports ready.
    const m = await import("/pkg/sluice.js");
    const c = document.createElement("canvas");
    c.width = 4000;
    c.height = 3000;
    const x = c.getContext("2d");
    const g = x.createLinearGradient(0, 0, 4000, 3000);
    g.addColorStop(0, "#e11d48");
    g.addColorStop(1, "#2563eb");
    x.fillStyle = g;
    x.fillRect(0, 0, 4000, 3000);
    for (let i = 0; i < 400; i++) {
      x.fillStyle = `hsl(${(i * 37) % 360} 70% 55%)`;
      x.fillRect((i * 97) % 3900, (i * 61) % 2900, 100, 100);
    }
    const jpeg = await new Promise((r) => c.toBlob((b) => r(b), "image/jpeg", 0.9));
    const bytes = new Uint8Array(await jpeg.arrayBuffer());
    const crop = { x: 700, y: 250, size: 2500 };

    const wasm = async () => {
      const t = performance.now();
      const png = await m.avatar_png(bytes, crop.x, crop.y, crop.size);
      return { ms: performance.now() - t, bytes: png.length };
    };
    const canvas = async () => {
      const t = performance.now();
      const bitmap = await createImageBitmap(jpeg);
      const out = document.createElement("canvas");
      out.width = 512;
      out.height = 512;
      const o = out.getContext("2d");
      o.imageSmoothingQuality = "high";
      o.drawImage(bitmap, crop.x, crop.y, crop.size, crop.size, 0, 0, 512, 512);
      const png = await new Promise((r) => out.toBlob((b) => r(b), "image/png"));
      bitmap.close();
      return { ms: performance.now() - t, bytes: png.size };
    };
    const median = (v) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];
    await wasm();
    await canvas();
    const w = [];
    const k = [];
    let sizes = { wasm: 0, canvas: 0 };
    for (let i = 0; i < rounds; i++) {
      // Alternate, so neither side gets a warmer machine.
      const a = await wasm();
      const b = await canvas();
      w.push(a.ms);
      k.push(b.ms);
      sizes = { wasm: a.bytes, canvas: b.bytes };
    }
    return { jpegBytes: bytes.length, wasm: median(w), canvas: median(k), sizes };
}
