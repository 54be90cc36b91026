// Microphone capture: float samples at the AudioContext rate -> 16 kHz PCM16 in 20 ms frames.
// Runs on the audio thread; posts each 640-byte frame (an ArrayBuffer) to the main thread.
class MicCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.outRate = (options.processorOptions && options.processorOptions.rate) || 16000;
    this.step = sampleRate / this.outRate;     // input samples per output sample (1 when the context is 16 kHz)
    this.frame = new Int16Array(this.outRate / 50);
    this.filled = 0;
    this.pos = 0;                               // fractional read position for rate conversion
    this.acc = 0; this.accN = 0;
  }

  process(inputs) {
    const input = inputs[0] && inputs[0][0];
    if (!input) return true;
    for (let i = 0; i < input.length; i++) {
      // Box-filter decimation: average the input samples that fall into one output sample.
      this.acc += input[i]; this.accN++;
      this.pos += 1;
      if (this.pos >= this.step) {
        this.pos -= this.step;
        const v = Math.max(-1, Math.min(1, this.acc / this.accN));
        this.acc = 0; this.accN = 0;
        this.frame[this.filled++] = v < 0 ? v * 0x8000 : v * 0x7fff;
        if (this.filled === this.frame.length) {
          this.port.postMessage(this.frame.buffer.slice(0));
          this.filled = 0;
        }
      }
    }
    return true;
  }
}
registerProcessor("mic-capture", MicCapture);
