// One sketch uploaded to both cores, as the "single sketch approach" of Arduino's docs and
// many forum sketches write it: a String names the core from HAL_GetCurrentCPUID(), and
// setup() and loop() compare it with "M7" and "M4".
#include <RPC.h>

int count = 0;

String currentCPU() {
  if (HAL_GetCurrentCPUID() == CM7_CPUID) {
    return "M7";
  } else {
    return "M4";
  }
}

void setup() {
  if (currentCPU() == "M7") {
    Serial.begin(115200);
    while (!Serial) {
    }
  }
  RPC.begin();
}

void loop() {
  if (currentCPU() == "M7") {
    String buffer = "";
    while (RPC.available()) {
      buffer += (char)RPC.read();
    }
    if (buffer.length() > 0) {
      Serial.print(buffer);
    }
  }
  if (currentCPU() == "M4") {
    delay(400);
    RPC.println("hello from the " + currentCPU() + " #" + String(++count));
  }
}
