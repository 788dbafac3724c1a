// helpers.ino - the second tab of tabs/: functions that use the main tab's Reading type and
// readings[]. setup() and loop() call them before their definitions, through the
// prototypes of every tab, which go at the top of the joined sketch.
void describe(int i) {
  Serial.print(readings[i].name);
  Serial.print(" = ");
  Serial.println(twice(readings[i].value));
}

int total() {
  int sum = 0;
  for (int i = 0; i < reading_count; i++)
    sum += twice(readings[i].value);
  return sum;
}

#ifdef CORE_CM4
M4Only widen(M4Only m) {
  m.x++;
  return m;
}
#endif

int twice(int v) {
  return 2 * v;
}
