// CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no final xor),
// one byte per call: the frame check of the gatebench protocol (docs/protocol.md).
`default_nettype none

module crc16_ccitt_byte (
  input  wire [15:0] crc_in,
  input  wire [7:0]  data,
  output wire [15:0] crc_out
);
  function automatic [15:0] step(input [15:0] crc, input [7:0] d);
    integer i;
    reg [15:0] c;
    begin
      c = crc ^ {d, 8'h00};
      for (i = 0; i < 8; i = i + 1) c = c[15] ? ({c[14:0], 1'b0} ^ 16'h1021) : {c[14:0], 1'b0};
      step = c;
    end
  endfunction
  assign crc_out = step(crc_in, data);
endmodule

`default_nettype wire
