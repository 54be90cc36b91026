// Agent audio playback with a jitter buffer.
// The main thread pushes PCM16 chunks (already at the context rate); playback starts once
// `prebuffer` samples are queued (or the item is complete) and re-buffers after an underrun.
// "clear" drops everything queued at once (barge-in). Every ~100 ms it reports how many
// samples have actually been played, which the page turns into playback.progress.
class Player extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.prebuffer = (options.processorOptions && options.processorOptions.prebuffer) || Math.round(sampleRate * 0.08);
    this.chunks = [];      // queue of Float32Array
    this.offset = 0;       // read offset in chunks[0]
    this.queued = 0;       // samples queued
    this.playing = false;
    this.draining = false; // the item is complete: play the tail even if below prebuffer
    this.played = 0;
    this.sinceReport = 0;
    this.port.onmessage = (e) => {
      const m = e.data;
      if (m.type === "push") {
        const pcm = new Int16Array(m.pcm);
        const f = new Float32Array(pcm.length);
        for (let i = 0; i < pcm.length; i++) f[i] = pcm[i] / 32768;
        this.chunks.push(f); this.queued += f.length;
      } else if (m.type === "drain") {
        this.draining = true;
      } else if (m.type === "clear") {
        this.chunks = []; this.offset = 0; this.queued = 0; this.playing = false; this.draining = false;
        this.port.postMessage({ type: "played", played: this.played, queued: this.queued, cleared: true });
      }
    };
  }

  process(_inputs, outputs) {
    const out = outputs[0][0];
    if (!this.playing && (this.queued >= this.prebuffer || (this.draining && this.queued > 0))) this.playing = true;
    let i = 0;
    if (this.playing) {
      while (i < out.length && this.chunks.length) {
        const c = this.chunks[0];
        const n = Math.min(out.length - i, c.length - this.offset);
        out.set(c.subarray(this.offset, this.offset + n), i);
        i += n; this.offset += n; this.queued -= n; this.played += n;
        if (this.offset >= c.length) { this.chunks.shift(); this.offset = 0; }
      }
      if (!this.chunks.length) { this.playing = false; if (this.draining) this.draining = false; }
    }
    out.fill(0, i);
    for (let ch = 1; ch < outputs[0].length; ch++) outputs[0][ch].set(out);
    this.sinceReport += out.length;
    if (this.sinceReport >= sampleRate / 10) {
      this.sinceReport = 0;
      this.port.postMessage({ type: "played", played: this.played, queued: this.queued });
    }
    return true;
  }
}
registerProcessor("player", Player);
