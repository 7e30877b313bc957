#include "logic/lessons_model.h"

#include <algorithm>
#include <cmath>

#include "convt/ops/conv2d.h"
#include "convt/ops/conv_transpose2d.h"
#include "convt/tensor.h"

namespace convt::lab {

namespace {

ShowMe stepper_show(std::string label, std::string preset, int64_t step, int y, int x,
                    std::string look_for, std::optional<StepperSecondView> view = std::nullopt) {
  ShowMe s;
  s.label = std::move(label);
  s.panel = "stepper";
  s.look_for = std::move(look_for);
  s.stepper.preset = std::move(preset);
  s.stepper.step = step;
  s.stepper.y = y;
  s.stepper.x = x;
  s.stepper.view = view;
  return s;
}

ShowMe formula_show(std::string label, FormulaParams params, std::string model,
                    std::string look_for) {
  ShowMe s;
  s.label = std::move(label);
  s.panel = "formula";
  s.look_for = std::move(look_for);
  s.formula.params = params;
  s.formula.model = std::move(model);
  return s;
}

ShowMe cnn_show(std::string label, std::string kernel, bool relu, bool pool, int y, int x,
                std::string look_for) {
  ShowMe s;
  s.label = std::move(label);
  s.panel = "cnn";
  s.look_for = std::move(look_for);
  s.cnn.kernel = std::move(kernel);
  s.cnn.relu = relu;
  s.cnn.pool = pool;
  s.cnn.y = y;
  s.cnn.x = x;
  return s;
}

FormulaParams params(int H, int kernel_size, int stride, int padding, int output_padding) {
  FormulaParams p;
  p.H = H;
  p.kernel_size = kernel_size;
  p.stride = stride;
  p.padding = padding;
  p.output_padding = output_padding;
  p.dilation = 1;
  return p;
}

std::vector<Lesson> make_lessons() {
  std::vector<Lesson> v;
  using View = StepperSecondView;

  // ---- 1 ---------------------------------------------------------------------------------
  {
    Lesson l;
    l.title = "Convolution: a window that gathers";
    l.question = "What does a convolution layer compute, and why does it suit images?";
    l.paragraphs = {
        "A small grid of weights, the kernel (here 3x3), lies on the image. Multiply each pixel "
        "under it by the weight on top of it and add the 9 products: that is one output number. "
        "Then move the kernel stride cells and do it again. Each output cell gathers from one "
        "window of the input; padding puts a border of zeros around the input so the window "
        "can sit on the edges too.",
        "Why this suits images: the patterns that matter (an edge, the end of a stroke) are "
        "small, so a small window sees them; and an edge is an edge anywhere, so the same 9 "
        "weights are used at every position (shared weights). A 3x3 kernel has 9 weights "
        "whatever the image size; a Linear layer from a 20x20 image to a 20x20 output needs "
        "400 x 400 = 160,000.",
    };
    l.formulas = {
        "out[oy, ox] = sum over ky, kx of  x[oy*stride - padding + ky, ox*stride - padding + kx] "
        "* w[ky, kx]",
        "H_out = floor((H + 2*padding - kernel_size) / stride) + 1      e.g. "
        "floor((5 + 2 - 3) / 2) + 1 = 3",
    };
    l.show_me = {
        stepper_show(
            "Show me the window sliding", "conv2d", 45, 1, 1,
            "conv2d on a 5x5 input (1..25), 3x3 kernel of ones, stride 2, padding 1. Five "
            "windows are done; the selected output cell (row 1, column 1) lists its 9 products, "
            "which sum to its value. Press the step buttons to move the window on."),
        cnn_show("Show me a kernel on a real digit", "sobel_x", false, false, 14, 10,
                 "The same gather on a 28x28 digit with Sobel x (right column minus left "
                 "column): the feature map is red where the digit gets brighter to the right and "
                 "blue where it gets darker. The selected pixel's 3x3 window is outlined on the "
                 "digit and its 9 products are listed; hover over any other output pixel."),
    };
    v.push_back(l);
  }

  // ---- 2 ---------------------------------------------------------------------------------
  {
    Lesson l;
    l.title = "Transposed convolution: every pixel stamps the kernel";
    l.question = "What does ConvTranspose2d do? Is it the inverse of a convolution?";
    l.paragraphs = {
        "Turn the arrows around. Instead of each output gathering from a window, each input "
        "pixel scatters: pixel x[i, j] stamps a copy of the kernel, multiplied by its value, onto "
        "the output canvas at (i*stride, j*stride). Where stamps overlap, they add up. Then "
        "padding cuts that many cells off every side of the canvas (the opposite of conv2d's "
        "padding, which adds cells).",
        "Is it the inverse? No. A convolution throws information away (below: 9 numbers in, 4 "
        "out), and nothing undoes that in general. Write the convolution as a matrix C acting "
        "on the flattened image: ConvTranspose2d with the same kernel is exactly C's transpose "
        "C^T. It goes back to the input's shape, not to its values. It is also conv2d's "
        "backward pass for its input: the same scatter.",
    };
    l.formulas = {
        "conv2d:  y = C x          conv_transpose2d:  x' = C^T y          C^T C x is not x",
    };
    l.matrix_view = true;
    l.show_me = {stepper_show(
        "Show me the stamps", "notes", 18, 1, 1,
        "The notes' example: a 2x2 input (1, 2, 3, 4), a 3x3 kernel of ones, stride 2, "
        "padding 1. Two stamps are done; the canvas shows where they overlapped, and the "
        "cropped border that padding removes. The selected centre cell will get a share of all "
        "four stamps: step on and watch its list of contributions grow.")};
    v.push_back(l);
  }

  // ---- 3 ---------------------------------------------------------------------------------
  {
    Lesson l;
    l.title = "The output-size formula, term by term";
    l.question = "Why does k4 s2 p1 turn 4x4 into 8x8, and what is output_padding for?";
    l.paragraphs = {
        "Read the formula the way the stamps fall: H input pixels stamped stride cells apart "
        "span (H-1)*stride cells; the last stamp adds the kernel's reach, kernel_size; padding "
        "cuts padding cells from each side, so subtract 2*padding. The notes' example: "
        "(4-1)*2 - 2*1 + 4 = 8. Every k4 s2 p1 layer exactly doubles: 4 -> 8 -> 16 -> 32 in the "
        "minimal generator.",
        "output_padding: a strided conv2d sends several input sizes to the same output (k3 s2 "
        "p1 turns both 7 and 8 into 4). Going back, the formula can only give one of them, so "
        "output_padding adds rows at the bottom and columns at the right to choose the other. "
        "It must be smaller than the stride. The 20x20 GAN's Keras 'same' layers are padding 2, "
        "output_padding 1: 5 -> 10 -> 20.",
    };
    l.formulas = {
        "H_out = (H - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1",
        "with dilation 1:  H_out = (H - 1)*stride - 2*padding + kernel_size + output_padding",
        "(4 - 1)*2 - 2*1 + 4 + 0 = 8          (5 - 1)*2 - 2*2 + 5 + 1 = 10",
    };
    l.show_me = {
        formula_show("Show me 4 -> 8 (k4 s2 p1)", params(4, 4, 2, 1, 0), "",
                     "The formula panel on the notes' example: each term with its numbers and a "
                     "line saying what it does, and H_out plotted against H."),
        formula_show("Show me the GAN's 5 -> 10 (output_padding 1)", params(5, 5, 2, 2, 1), "",
                     "The 20x20 GAN's first transposed convolution, k5 s2 'same'. Look at the "
                     "round trip: which conv2d input sizes give 5, and which output_padding "
                     "brings each one back."),
        stepper_show("Show me the crop on the canvas", "gan", -1, -1, -1,
                     "The same layer in the stepper, finished: a 13x13 canvas, 2 rows and "
                     "columns cut at the top and left, 1 at the bottom and right (output_padding "
                     "keeps one back): 10x10."),
    };
    v.push_back(l);
  }

  // ---- 4 ---------------------------------------------------------------------------------
  {
    Lesson l;
    l.title = "Overlap and checkerboards";
    l.question = "Why do some generators paint a faint checkerboard over their images?";
    l.paragraphs = {
        "Count how many stamps land on each output cell. With kernel 3 and stride 2 the stamps "
        "overlap unevenly: some cells get 1 stamp, some 2, some 4, in a repeating pattern, even "
        "when the input and the kernel are all ones. The network has to learn weights that "
        "cancel this pattern, and often it does not quite: a checkerboard (Odena, Dumoulin & "
        "Olah, \"Deconvolution and Checkerboard Artifacts\", Distill 2016).",
        "One cure: kernel 4 with stride 2, a kernel size that is a multiple of the stride. "
        "Away from the border every cell gets exactly 4 stamps: nothing uneven is built in.",
        "A second cure is to resize, then convolve: upsample by nearest neighbour (each pixel "
        "copied into a 2x2 block), then a stride-1 conv2d, where every output cell gathers the "
        "same number of taps: no pattern is built in.",
    };
    l.formulas = {
        "unevenness = most stamps on a cell / fewest stamps on a cell (away from the border)",
        "k3 s2:  4 / 1 = 4          k4 s2:  4 / 4 = 1",
    };
    l.show_me = {
        stepper_show("Show me k3 s2 (uneven)", "k3s2", -1, 3, 3,
                     "All ones in and a kernel of ones: the overlap map on the right counts the "
                     "stamps in each cell, 1, 2 and 4 in a checkerboard. The selected cell got 4.",
                     View::kOverlap),
        stepper_show("Show me k4 s2 (even)", "k4s2", -1, 3, 3,
                     "The same with kernel 4: away from the border every cell gets 4 stamps, and "
                     "the unevenness ratio is 1.",
                     View::kOverlap),
        stepper_show("Show me resize-then-convolve", "resize_conv", -1, 3, 3,
                     "A 4x4 of ones resized to 8x8 (nearest: still all ones), then conv2d with a "
                     "3x3 kernel of ones, stride 1, padding 1. Every output cell away from the "
                     "border is 9: the selected one lists its 9 products. Only the border, where "
                     "padding adds zeros, is lower (6 on the edges, 4 in the corners).",
                     View::kOutput),
    };
    v.push_back(l);
  }

  // ---- 5 ---------------------------------------------------------------------------------
  {
    Lesson l;
    l.title = "Max pooling vs strided convolution";
    l.question = "How does a CNN shrink an image, and why did DCGAN stop using pooling?";
    l.paragraphs = {
        "Max pooling keeps the largest value of each window (2x2, stride 2: one cell in four "
        "survives). It has no weights: what it throws away is fixed. Its backward pass sends "
        "the gradient only to the cell that won (the argmax).",
        "A strided convolution (stride 2) shrinks just as much, but its weights are learned: "
        "the network decides what to keep. DCGAN (Radford, Metz & Chintala 2015) replaced "
        "every pooling layer with strided convolutions in D, and with transposed convolutions "
        "in G.",
        "The notes' best practices for a stable DCGAN: strided convolutions instead of pooling; "
        "batch norm (the notes' G has it after each hidden layer); ReLU or LeakyReLU in G; "
        "LeakyReLU(0.2) in D; tanh at G's output, so images live in [-1, 1] (pixels scaled as "
        "(x - 127.5) / 127.5).",
    };
    l.formulas = {
        "max_pool2d:  out[oy, ox] = max over the 2x2 window       (no weights)",
        "conv2d, stride 2:  out[oy, ox] = sum over the 3x3 window of x * w   (w learned)",
    };
    l.show_me = {
        stepper_show("Show me max pooling", "maxpool", -1, 0, 0,
                     "A 4x4 input pooled 2x2, stride 2. The selected output cell lists its "
                     "window's four values with the winner marked: the only one that gets a "
                     "gradient."),
        stepper_show("Show me a strided convolution", "conv2d", -1, 1, 1,
                     "The same shrinking done by conv2d with stride 2: every output cell is a "
                     "weighted sum of its window, and those weights are learned."),
        formula_show("Show me the GAN's D: no pooling", params(10, 5, 2, 2, 1), "dcgan20_D",
                     "The network table (right, under the plots) for the 20x20 GAN's "
                     "discriminator: two Conv2d with stride 2 take 20x20 to 10x10 to 5x5, each "
                     "then LeakyReLU(0.2) and Dropout(0.3), and no pooling layer anywhere. On "
                     "the left, D's first layer, k5 s2 'same': the forward conv2d takes 20 (or "
                     "19) to 10, and the transposed conv takes 10 back to 20, as G's up2 does."),
        cnn_show("Show me pooling a feature map", "sobel_x", true, true, -1, -1,
                 "A digit through Sobel x, ReLU, then max_pool2d 2x2, stride 2: the 28x28 map "
                 "becomes 14x14, each pixel the largest of its 2x2 window, and the edges survive. "
                 "Untick max_pool2d and set stride 2 to shrink with the convolution instead."),
    };
    v.push_back(l);
  }

  // ---- 6 ---------------------------------------------------------------------------------
  {
    Lesson l;
    l.title = "Does the transposed conv reuse the conv's weights?";
    l.question =
        "In an encoder-decoder, does the ConvTranspose2d use the kernel of the Conv2d it "
        "mirrors?";
    l.paragraphs = {
        "No. nn.ConvTranspose2d has its own weight tensor, shaped (C_in, C_out, kH, kW), "
        "created and learned separately. Having the same shape as a Conv2d's weight "
        "(C_out, C_in, kH, kW) does not make it the same numbers.",
        "You can tie them: let the decoder layer use its mirror encoder layer's kernel, so the "
        "two share one tensor. That halves those layers' parameters; during training the shared "
        "weight's gradient is the sum of what both uses ask for.",
        "The learn-to-complete CNN was trained both ways, tied and untied, on the same digits "
        "for the same steps, so you can compare their held-out errors and parameter counts "
        "(tying saves only in the conv layers; the Linear layer in the middle is not tied).",
    };
    l.formulas = {
        "tied:  w_decoder = w_encoder (one tensor)        dL/dw = dL/dw (encoder use) + dL/dw "
        "(decoder use)",
    };
    ShowMe s;
    s.label = "Show me the completion CNN";
    s.panel = "completion";
    s.look_for =
        "The completion panel: a held-out digit with its bottom half hidden, completed by the "
        "tied and the untied model side by side, with each one's parameter count and held-out "
        "MSE.";
    s.completion.region = "bottom-half";
    s.completion.show = CompletionShow::kBoth;
    s.completion.section = CompletionSection::kRefine;
    s.completion.heldout_digit = 600;  // a 6: the bottom half must guess its loop
    l.show_me = {s};
    v.push_back(l);
  }

  // ---- 7 ---------------------------------------------------------------------------------
  {
    Lesson l;
    l.title = "How a GAN trains: Step A, then Step B";
    l.question = "What happens in one training step of a GAN?";
    l.paragraphs = {
        "Two networks play. G turns noise z (100 numbers) into an image; D looks at an image "
        "and outputs the probability that it is real. They train in turns, one batch at a time.",
        "Step A trains G: draw z, make X_fake = G(z), and show it to D, which is frozen. G's "
        "loss is small when D is fooled (says 1 to a fake). Only G's weights move.",
        "Step B trains D: show it a batch of real images and the same X_fake. D's loss is small "
        "when it says 1 to real and 0 to fake. Only D's weights move.",
        "D(x) is D's mean output on the real batch, D(G(z)) on the fakes. At the ideal balance "
        "D cannot tell them apart: both 0.5, loss_D = 2 ln 2 = 1.39, loss_G = ln 2 = 0.69.",
    };
    l.formulas = {
        "Step A:  L_G = BCE(D(G(z)), 1) = -mean ln D(G(z))",
        "Step B:  L_D = BCE(D(x), 1) + BCE(D(X_fake), 0) = -mean ln D(x) - mean ln(1 - "
        "D(X_fake))",
        "the notes: Adam, lr 1e-4, beta1 0.5, beta2 0.999, batch 256",
    };
    ShowMe s;
    s.label = "Show me one Step A";
    s.panel = "training";
    s.look_for =
        "The dashboard with the notes' settings and a new run that has done exactly one Step A: "
        "'B next' is lit, and the line under the Step buttons gives L_G. Press Step B (D) to "
        "finish the step: the Diagnoses box then shows its loss_G, loss_D, D(x) and D(G(z)).";
    s.training.preset = "notes";
    s.training.action = TrainingTarget::Action::kStepA;
    l.show_me = {s};
    v.push_back(l);
  }

  // ---- 8 ---------------------------------------------------------------------------------
  {
    Lesson l;
    l.title = "Reading the curves";
    l.question = "How can I tell from the curves whether training is going well?";
    l.paragraphs = {
        "Early (the first few dozen steps): the curves move fast while D and G find each "
        "other; D's accuracy on real images shoots up. The samples are grey blobs.",
        "Then the game balances. On this model loss_D stays near 1.39 (2 ln 2) and loss_G near "
        "0.69 (ln 2), with D(x) and D(G(z)) near 0.5 while D's accuracies swing: D can barely "
        "tell real from fake. That is a healthy game, not a stuck one.",
        "Progress shows in the samples (blobs, then strokes, then digits) and in the quality "
        "score, not in the losses: a GAN's loss does not fall to 0 when it works.",
        "Failure signs. D too strong: loss_D heads to 0, D(x) to 1 and D(G(z)) to 0, so G gets "
        "almost no gradient. Mode collapse: the samples all look alike, the class histogram "
        "piles onto one digit, yet the losses can look healthy: only the samples show it. "
        "Divergence: loss_G climbs and climbs, or the losses blow up (a NaN would stop "
        "training; this model gave none, even at lr 1).",
    };
    l.formulas = {
        "healthy:  loss_D ~ 1.39,  loss_G ~ 0.7 .. 2,  D(x) ~ D(G(z)) ~ 0.5",
        "D too strong:  loss_D -> 0,  D(x) -> 1,  D(G(z)) -> 0,  loss_G rising",
        "mode collapse:  G(z1) ~ G(z2) for all z;  losses may stay near 1.39 / 0.69",
        "divergence:  loss_G = -ln D(G(z)) grows without bound as D(G(z)) -> 0",
    };
    ShowMe healthy;
    healthy.label = "Show me a healthy run";
    healthy.panel = "training";
    healthy.look_for =
        "A new run with the 'fast start' settings, training now. Within the first minute loss_D "
        "and loss_G settle near 1.39 and 0.69 and stay there; watch the fixed-z grid instead: "
        "strokes appear after several minutes, and the quality score rises.";
    healthy.training.preset = "fast start";
    healthy.training.action = TrainingTarget::Action::kStart;
    ShowMe strong;
    strong.label = "Show me D too strong";
    strong.panel = "training";
    strong.look_for =
        "A new run where D learns 1000 times faster than G (lr_D 2e-3, lr_G 2e-6). Within "
        "about a minute loss_D falls towards 0, D(x) goes to 1 and D(G(z)) to 0, and the "
        "Diagnoses box says 'D is too strong'. The samples stay noise.";
    strong.training.preset = "fast start";
    strong.training.lr_g = 2e-6f;
    strong.training.lr_d = 2e-3f;
    strong.training.action = TrainingTarget::Action::kStart;
    ShowMe collapse;
    collapse.label = "Show me mode collapse";
    collapse.panel = "training";
    collapse.look_for =
        "A saved run: lr_G 5e-3 = 100 x lr_D (batch 16, seed 1). The curves look healthy to the "
        "end (loss_D 1.39, loss_G 0.70 over steps 1151..1200); the samples do not: from step 300 "
        "all 64 are one shape, a 2, then a 4, then an 8 at step 1200 (the classifier calls 60 of "
        "64 an 8). Diagnoses: mode collapse.";
    collapse.training.saved_run = "mode_collapse";
    ShowMe diverge;
    diverge.label = "Show me divergence";
    diverge.panel = "training";
    diverge.look_for =
        "A saved run: lr_G = lr_D = 1e-2, 50 x the default. D wins and loss_G climbs: mean "
        "2.95 over steps 1 to 20, 8.82 over 121 to 140; G's samples are blank. At step 148 it "
        "blows up: the curves are raw here (smoothing 1), and loss_G peaks at 4487 at step "
        "155. At step 160 the samples are scattered dots. Diagnoses (means over the steps "
        "they name): G's loss exploding.";
    diverge.training.saved_run = "divergence";
    diverge.training.smoothing = 1;  // the peak the text quotes; smoothing 10 shows ~650
    l.show_me = {healthy, strong, collapse, diverge};
    v.push_back(l);
  }

  // ---- 9 ---------------------------------------------------------------------------------
  {
    Lesson l;
    l.title = "The latent space";
    l.question = "What do the 100 numbers of z control?";
    l.paragraphs = {
        "G maps every z (100 numbers drawn from a normal distribution) to an image. Nearby z "
        "give similar images, so you can walk: move one slider and the digit bends a little; "
        "interpolate between two z and one digit morphs into another. Spherical interpolation "
        "(slerp) keeps z at the length typical of such samples; a straight line passes "
        "through shorter z, which G saw less often.",
        "Is G just memorising? Compare G(z) with its nearest real digit, shown beside it: "
        "similar, but not the same picture.",
        "Inside G: every layer's output for this z, channel by channel, most active first: "
        "coarse blobs at 5x5 and 10x10, strokes at 20x20, then the single channel of the image.",
        "Which G? Training never settles: each step moves G against the D of that moment, so the "
        "last G is one point of a wobble around a good generator. Averaging G's weights over "
        "the last thousand or so steps (G_ema, below) lands near the middle of the wobble and "
        "often draws cleaner digits than any single step (Yazici et al. 2019). The average is "
        "never trained and never seen by D, so its BatchNorm statistics are measured afresh "
        "from new z. The shipped generator is such an average; the dashboard shows both grids.",
    };
    l.formulas = {
        "G_ema <- 0.999 G_ema + 0.001 G   after every Step A",
        "lerp(a, b, t) = (1 - t) a + t b",
        "slerp(a, b, t) = sin((1 - t) theta) / sin(theta) a + sin(t theta) / sin(theta) b",
        "    where cos(theta) = a.b / (|a| |b|)",
    };
    ShowMe s;
    s.label = "Show me the latent explorer";
    s.panel = "latent";
    s.look_for =
        "The shipped generator (trained on the built-in digits) at z from seed 7. Drag a "
        "slider, press Next for another z. The strip morphs A (this z) into B (seed 202's). "
        "Inside G, at the bottom, has one row per layer: read it from top to bottom.";
    s.latent.seed = 7;
    s.latent.steps = 9;
    s.latent.slerp = true;
    l.show_me = {s};
    v.push_back(l);
  }

  // ---- 10 --------------------------------------------------------------------------------
  {
    Lesson l;
    l.title = "Other ways to generate";
    l.question = "Do you need a GAN to make images? Why are the others blurrier?";
    l.paragraphs = {
        "Learn to complete: hide the bottom half of a digit, and train a CNN to output the "
        "whole digit with a mean squared error (MSE) loss. It learns to fill in what is "
        "missing. Given nothing to complete (an empty canvas and a random code) it draws the "
        "same grey patch whatever the code: it learned to complete, not to invent.",
        "FFNN + transposed conv: a fully connected network maps noise to an 8x8 feature map and "
        "transposed convolutions upsample it to an image, trained with MSE against real "
        "images. The blank canvas (Other generators panel): a trained decoder run on a "
        "constant input draws what its kernels have learned (\"what the decoder dreams\").",
        "Why blurrier: with MSE, when several answers are possible (there are many ways to "
        "finish a 7), the loss is lowest for their average, and an average of digits is a "
        "blur. A GAN's D punishes anything that does not look real, and a blur does not.",
    };
    l.formulas = {
        "MSE = mean (G(input) - target)^2          the best single guess under MSE is the mean of "
        "the possible targets",
    };
    ShowMe s;
    s.label = "Show me learn-to-complete";
    s.panel = "completion";
    s.look_for =
        "A held-out 7 with its bottom half hidden, completed by the tied CNN: grey and blurred "
        "where several endings are possible. Below, 5 refinement passes: pass 1 is that "
        "completion, and each later pass feeds the previous output back in (4 times), with "
        "its error. Compare the sharpness with the GAN's samples in the Latent tab.";
    s.completion.region = "bottom-half";
    s.completion.show = CompletionShow::kTiedOnly;
    s.completion.section = CompletionSection::kRefine;
    s.completion.heldout_digit = 700;  // a 7: "many ways to finish a 7"
    s.completion.refine_passes = 5;
    ShowMe blank;
    blank.label = "Show me completion from nothing";
    blank.panel = "completion";
    blank.look_for =
        "The completion CNN given an empty canvas and 8 random codes (its Blank canvas tab): "
        "each model draws 8 near-identical grey patches (dark and faintly textured from the "
        "tied one, light from the untied one), their spread across codes under 0.01: the code "
        "changes nothing. A GAN's G starts from noise alone and still makes digits, because D "
        "taught it to.";
    blank.completion.section = CompletionSection::kBlankCanvas;
    blank.completion.blank_seed = 1;
    ShowMe ffnn;
    ffnn.label = "Show me FFNN vs GAN";
    ffnn.panel = "experiments";
    ffnn.look_for =
        "Top left: the FFNN trained with MSE gives the same blurry average for every z, beside "
        "the GAN's digits from the same z and the mean digit. Below: the blank canvas, G run on "
        "a constant input before and after training (what the decoder dreams).";
    l.show_me = {s, ffnn, blank};
    v.push_back(l);
  }
  return v;
}

}  // namespace

const std::vector<Lesson>& lessons() {
  static const std::vector<Lesson> all = make_lessons();
  return all;
}

// ---- Matrix view -------------------------------------------------------------------------

Matrix transpose(const Matrix& m) {
  Matrix t;
  t.rows = m.cols;
  t.cols = m.rows;
  t.values.resize(m.values.size());
  for (int r = 0; r < m.rows; ++r) {
    for (int c = 0; c < m.cols; ++c) t.values[static_cast<size_t>(c) * t.cols + r] = m.at(r, c);
  }
  return t;
}

namespace {

// Runs `op` on each unit image e_j of (1, 1, H, W) and writes its flattened output as column j.
template <class Op>
Matrix columns_of(int H, int W, Op op) {
  Matrix m;
  m.cols = H * W;
  for (int j = 0; j < H * W; ++j) {
    Tensor e({1, 1, H, W});  // (N, C, H, W), all zeros
    e.values()[static_cast<size_t>(j)] = 1.0f;
    Tensor out;
    op(out, e);
    if (j == 0) {
      m.rows = static_cast<int>(out.numel());
      m.values.assign(static_cast<size_t>(m.rows) * m.cols, 0.0f);
    }
    for (int r = 0; r < m.rows; ++r) {
      m.values[static_cast<size_t>(r) * m.cols + j] = out.values()[static_cast<size_t>(r)];
    }
  }
  return m;
}

std::vector<float> multiply(const Matrix& m, const std::vector<float>& x) {
  std::vector<float> y(static_cast<size_t>(m.rows), 0.0f);
  for (int r = 0; r < m.rows; ++r) {
    for (int c = 0; c < m.cols; ++c) y[static_cast<size_t>(r)] += m.at(r, c) * x[c];
  }
  return y;
}

}  // namespace

Matrix conv2d_matrix(int H, int W, const std::vector<float>& kernel, int kH, int kW, int stride,
                     int padding) {
  const Tensor weight({1, 1, kH, kW}, kernel);  // (C_out, C_in, kH, kW)
  Conv2dParams p;
  p.stride = {stride, stride};
  p.padding = {padding, padding};
  return columns_of(
      H, W, [&](Tensor& out, const Tensor& e) { conv2d_forward(out, e, weight, nullptr, p); });
}

Matrix conv_transpose2d_matrix(int H, int W, const std::vector<float>& kernel, int kH, int kW,
                               int stride, int padding) {
  const Tensor weight({1, 1, kH, kW}, kernel);  // (C_in, C_out, kH, kW)
  ConvTranspose2dParams p;
  p.stride = {stride, stride};
  p.padding = {padding, padding};
  return columns_of(H, W, [&](Tensor& out, const Tensor& e) {
    conv_transpose2d_forward(out, e, weight, nullptr, p);
  });
}

ConvMatrixView conv_matrix_view() {
  ConvMatrixView v;
  v.kernel = {1.0f, 2.0f, 3.0f, 4.0f};
  v.C = conv2d_matrix(v.H, v.W, v.kernel, v.kernel_size, v.kernel_size, v.stride, v.padding);
  v.H_out = (v.H + 2 * v.padding - v.kernel_size) / v.stride + 1;
  v.W_out = (v.W + 2 * v.padding - v.kernel_size) / v.stride + 1;
  v.T = conv_transpose2d_matrix(v.H_out, v.W_out, v.kernel, v.kernel_size, v.kernel_size, v.stride,
                                v.padding);
  const Matrix Ct = transpose(v.C);
  v.max_diff_from_transpose = Ct.values.size() == v.T.values.size() ? 0.0f : INFINITY;
  for (size_t i = 0; i < Ct.values.size() && i < v.T.values.size(); ++i) {
    v.max_diff_from_transpose =
        std::max(v.max_diff_from_transpose, std::fabs(Ct.values[i] - v.T.values[i]));
  }
  v.x.resize(static_cast<size_t>(v.H) * v.W);
  for (size_t i = 0; i < v.x.size(); ++i) v.x[i] = static_cast<float>(i + 1);
  v.Cx = multiply(v.C, v.x);
  v.TCx = multiply(v.T, v.Cx);
  return v;
}

}  // namespace convt::lab
