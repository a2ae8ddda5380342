/** Printed on every resident card in both languages, whoever prints it (the residents' page, the console). */
export const PRINT_TIP = "采样时出示此码 / Show this code at sampling";
