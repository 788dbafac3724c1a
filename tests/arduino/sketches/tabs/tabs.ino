// tabs.ino - the main tab of a sketch of two tabs (tests/arduino/test_tabs.py), as the IDE
// builds a sketch folder: it calls describe() and total(), defined in helpers.ino, which
// use this tab's Reading type and readings[].
struct Reading {
  const char *name;
  int value;
};

Reading readings[] = {{"alpha", 1}, {"beta", 2}, {"gamma", 3}};
const int reading_count = 3;

#ifdef CORE_CM4
// A type of the M4's half alone: helpers.ino's function of it gets a prototype on the M4 only.
struct M4Only {
  int x;
};
#endif

int shown = 0;

void setup() {
  Serial.begin(115200);
}

void loop() {
  if (shown < reading_count) {
    describe(shown);
    shown++;
    if (shown == reading_count) {
      Serial.print("total ");
      Serial.println(total());
    }
  }
  delay(10);
}
