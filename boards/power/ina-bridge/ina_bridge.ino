// gatebench INA bridge: reads an INA219 or INA226 over I2C (Wire) and prints format version 1
// of gatebench's `ina-serial` power monitor (src/power/inaSerial.ts, docs/power-monitors.md):
//
//   # gatebench-ina-bridge 1 chip=ina226 addr=0x40 shunt_mohm=100 period_us=2000
//   t_us,bus_uV,shunt_nV,ovf
//   1234567,3300000,123450,0
//   # stopped
//
// Commands, one a line: `info` (print the header), `period <us>` (set the sample period,
// 2000..1000000, then print the header), `start` (header, column line, then one row a period),
// `stop` (stop, then `# stopped`). Anything else answers `# error ...`.
//
// Register maps and LSBs from TI's datasheets: INA219 (SBOS448) shunt 10 uV, bus bits 15..3
// x 4 mV, bit 0 OVF; INA226 (SBOS547) shunt 2.5 uV, bus 1.25 mV, manufacturer ID 0x5449 at 0xFE.
// The current is computed on the host from the shunt voltage, so no calibration register is used.

#include <Wire.h>

#ifndef INA_ADDR
#define INA_ADDR 0x40          // A0 = A1 = GND
#endif
#ifndef SHUNT_MOHM
#define SHUNT_MOHM 100         // the R100 of most breakout boards; set yours
#endif
#ifndef BRIDGE_BAUD
#define BRIDGE_BAUD 115200
#endif

const uint8_t REG_CONFIG = 0x00, REG_SHUNT = 0x01, REG_BUS = 0x02, REG_MANUFACTURER = 0xFE;
const unsigned long MIN_PERIOD_US = 2000, MAX_PERIOD_US = 1000000;

bool isIna226 = false;
bool running = false;
unsigned long periodUs = 2000;
unsigned long nextUs = 0;
char command[32];
uint8_t commandLength = 0;

// Returns false when the chip does not acknowledge (then `value` is untouched).
bool readRegister(uint8_t reg, uint16_t &value) {
  Wire.beginTransmission(INA_ADDR);
  Wire.write(reg);
  if (Wire.endTransmission(false) != 0) return false;
  if (Wire.requestFrom((uint8_t)INA_ADDR, (uint8_t)2) != 2) return false;
  value = ((uint16_t)Wire.read() << 8) | Wire.read();
  return true;
}

bool writeRegister(uint8_t reg, uint16_t value) {
  Wire.beginTransmission(INA_ADDR);
  Wire.write(reg);
  Wire.write(value >> 8);
  Wire.write(value & 0xFF);
  return Wire.endTransmission() == 0;
}

bool setUpChip() {
  uint16_t id = 0;
  isIna226 = readRegister(REG_MANUFACTURER, id) && id == 0x5449;
  // INA226: 1 average, 588 us bus and shunt conversions, continuous (a pair every ~1.2 ms).
  // INA219: 32 V bus range, shunt gain /8 (+-320 mV), 12-bit 532 us conversions, continuous.
  return writeRegister(REG_CONFIG, isIna226 ? 0x40DF : 0x399F);
}

void printHeader() {
  Serial.print(F("# gatebench-ina-bridge 1 chip="));
  Serial.print(isIna226 ? F("ina226") : F("ina219"));
  Serial.print(F(" addr=0x"));
  Serial.print(INA_ADDR, HEX);
  Serial.print(F(" shunt_mohm="));
  Serial.print(SHUNT_MOHM);
  Serial.print(F(" period_us="));
  Serial.println(periodUs);
}

void sample() {
  unsigned long t = micros();
  uint16_t shuntRaw, busRaw;
  if (!readRegister(REG_SHUNT, shuntRaw) || !readRegister(REG_BUS, busRaw)) {
    Serial.println(F("# error i2c: no answer from the INA"));
    return;
  }
  int16_t shunt = (int16_t)shuntRaw;
  long shuntNv, busUv;
  bool overflow;
  if (isIna226) {
    shuntNv = (long)shunt * 2500L;
    busUv = (long)busRaw * 1250L;
    overflow = shunt == 32767 || shunt == -32768;
  } else {
    shuntNv = (long)shunt * 10000L;
    busUv = (long)(busRaw >> 3) * 4000L;
    overflow = (busRaw & 0x0001) || shunt >= 32000 || shunt <= -32000;
  }
  Serial.print(t);
  Serial.print(',');
  Serial.print(busUv);
  Serial.print(',');
  Serial.print(shuntNv);
  Serial.println(overflow ? F(",1") : F(",0"));
}

void handle(char *line) {
  if (strcmp(line, "info") == 0) {
    printHeader();
  } else if (strncmp(line, "period ", 7) == 0) {
    unsigned long p = strtoul(line + 7, NULL, 10);
    periodUs = p < MIN_PERIOD_US ? MIN_PERIOD_US : p > MAX_PERIOD_US ? MAX_PERIOD_US : p;
    printHeader();
  } else if (strcmp(line, "start") == 0) {
    if (!setUpChip()) {
      Serial.println(F("# error i2c: the INA does not answer at its address"));
      return;
    }
    printHeader();
    Serial.println(F("t_us,bus_uV,shunt_nV,ovf"));
    running = true;
    nextUs = micros();
  } else if (strcmp(line, "stop") == 0) {
    running = false;
    Serial.println(F("# stopped"));
  } else if (line[0] != '\0') {
    Serial.print(F("# error unknown command: "));
    Serial.println(line);
  }
}

void setup() {
  Serial.begin(BRIDGE_BAUD);
  Wire.begin();
  Wire.setClock(400000);
  if (!setUpChip()) Serial.println(F("# error i2c: the INA does not answer at its address"));
  Serial.println(F("# gatebench INA bridge: commands info, period <us>, start, stop"));
  printHeader();
}

void loop() {
  while (Serial.available() > 0) {
    char c = Serial.read();
    if (c == '\n' || c == '\r') {
      command[commandLength] = '\0';
      handle(command);
      commandLength = 0;
    } else if (commandLength < sizeof(command) - 1) {
      command[commandLength++] = c;
    }
  }
  if (running && (long)(micros() - nextUs) >= 0) {
    sample();
    nextUs += periodUs;
    // Fallen more than a period behind (serial back-pressure): skip ahead, do not burst.
    if ((long)(micros() - nextUs) > (long)periodUs) nextUs = micros() + periodUs;
  }
}
