// One sketch for both cores that boots the M4 without RPC, as Portenta and GIGA
// sketches do with bootM4() (the Arduino core's, declared by Arduino.h): the M7
// blinks blue, the M4 red; the cores never talk to each other.
#ifdef CORE_CM7
void setup() {
  Serial.begin(115200);
  Serial.println("M7: starting the M4");
  bootM4();
  Serial.println("M7: the M4 is on its way");
  pinMode(LEDB, OUTPUT);
}

void loop() {
  digitalWrite(LEDB, LOW);
  delay(250);
  digitalWrite(LEDB, HIGH);
  delay(250);
}
#else
void setup() {
  pinMode(LEDR, OUTPUT);
}

void loop() {
  digitalWrite(LEDR, LOW);
  delay(250);
  digitalWrite(LEDR, HIGH);
  delay(250);
}
#endif
